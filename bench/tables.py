"""Printing the benchmarks' result rows as a markdown table."""


def cell(value) -> str:
  if value is None:
    return '–'
  if isinstance(value, (list, tuple)):  # An interval.
    return '[' + ', '.join(cell(float(v)) for v in value) + ']'
  return f'{value:.3f}' if isinstance(value, float) else str(value)


def with_interval(row, key) -> str:
  """`row[key]` and its `<key>_interval` in one cell: 0.891 [0.859, 0.922]."""
  interval = row.get(f'{key}_interval')
  return cell(row.get(key)) + (
      f' {cell(interval)}' if interval is not None and row.get(key) is not None
      else '')


def print_markdown(rows, columns) -> None:
  """One markdown row per dict in `rows`, the `columns` keys in order."""
  print('| ' + ' | '.join(columns) + ' |')
  print('|' + '---|' * len(columns))
  for row in rows:
    print('| ' + ' | '.join(cell(row.get(k)) for k in columns) + ' |')
