"""Confusion matrices: computed, printed as text, drawn as PNG."""

import os
from typing import Sequence

import numpy as np

from genre_transformer_gan import atomic_files


def confusion_matrix(labels, predictions, num_classes: int) -> np.ndarray:
  """int64 [true class, predicted class] counts."""
  matrix = np.zeros([num_classes, num_classes], np.int64)
  np.add.at(matrix, (np.asarray(labels), np.asarray(predictions)), 1)
  return matrix


def accuracies(matrix: np.ndarray) -> dict:
  """{'accuracy', 'balanced_accuracy' (mean recall over present classes)}."""
  total = matrix.sum()
  rows = matrix.sum(axis=1)
  present = rows > 0
  recall = np.diag(matrix)[present] / rows[present]
  return {'accuracy': float(np.trace(matrix) / total) if total else
                      float('nan'),
          'balanced_accuracy': float(recall.mean()) if present.any() else
                               float('nan')}


def to_text(matrix: np.ndarray, names: Sequence[str]) -> str:
  """Rows: true genre (those with crops); columns: predicted; recall."""
  width = max(8, *(len(n) + 1 for n in names))
  lines = ['true \\ predicted'.ljust(width) +
           ''.join(n.rjust(width) for n in names) + 'recall'.rjust(width)]
  for name, row in zip(names, matrix):
    if not row.sum():
      continue
    recall = row[names.index(name)] / max(row.sum(), 1)
    lines.append(name.ljust(width) + ''.join(str(v).rjust(width) for v in row)
                 + f'{recall:.3f}'.rjust(width))
  return '\n'.join(lines) + '\n'


def save_png(matrix: np.ndarray, names: Sequence[str], path: str,
             title: str = '') -> None:
  """A heat map of row-normalised counts, with the counts written in."""
  import matplotlib  # pylint: disable=import-outside-toplevel
  matplotlib.use('Agg')
  from matplotlib import pyplot as plt  # pylint: disable=import-outside-toplevel
  rates = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
  size = 1.2 + 0.9 * len(names)
  figure, axes = plt.subplots(figsize=(size + 1, size))
  image = axes.imshow(rates, cmap='Blues', vmin=0, vmax=1)
  axes.set_xticks(range(len(names)), names, rotation=45, ha='right')
  axes.set_yticks(range(len(names)), names)
  axes.set_xlabel('predicted')
  axes.set_ylabel('true')
  for i in range(len(names)):
    for j in range(len(names)):
      axes.text(j, i, str(matrix[i, j]), ha='center', va='center',
                color='white' if rates[i, j] > 0.5 else 'black')
  figure.colorbar(image, ax=axes, fraction=0.046)
  if title:
    axes.set_title(title)
  figure.tight_layout()
  with atomic_files.path(path) as temporary:
    figure.savefig(temporary, dpi=100)
  plt.close(figure)


def accuracy_line(results: dict) -> str:
  """'64: 0.953 (balanced 0.960, 128 crops)  128: ...' for {length: result}."""
  return '  '.join(f'{length}: {r["accuracy"]:.3f} (balanced '
                   f'{r["balanced_accuracy"]:.3f}, {r["crops"]} crops)'
                   for length, r in results.items())


def write_split_report(info: dict, names: Sequence[str], directory: str,
                       model: str) -> None:
  """confusion_matrix.txt / .png of info's test (else validation) results.

  Args:
    info: {'dataset': ..., split: {crop length: {'confusion': ...}}}.
    names: class names.
    directory: where the two files go.
    model: named in the title.
  """
  split = 'test' if 'test' in info else 'validation'
  if split not in info:
    return
  length = max(info[split], key=int)
  matrix = np.asarray(info[split][length]['confusion'])
  title = f'{model}, {split}, crops of {length} tokens'
  atomic_files.write_text(os.path.join(directory, 'confusion_matrix.txt'),
                          f'{info["dataset"]} {title}\n' +
                          to_text(matrix, list(names)))
  save_png(matrix, list(names), os.path.join(directory,
                                             'confusion_matrix.png'), title)
