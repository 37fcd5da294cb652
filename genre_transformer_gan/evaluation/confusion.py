"""Confusion matrices: computed, printed as text, drawn as PNG."""

from typing import Sequence

import numpy as np


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
  """Rows: true genre; columns: predicted genre; plus per-class recall."""
  width = max(8, *(len(n) + 1 for n in names))
  lines = ['true \\ predicted'.ljust(width) +
           ''.join(n.rjust(width) for n in names) + 'recall'.rjust(width)]
  for name, row in zip(names, matrix):
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
  figure.savefig(path, dpi=100)
  plt.close(figure)
