"""Making layers held in lists visible to tf.train.Checkpoint.

Keras 3 (TensorFlow backend) tracks a list of layers for its own saving
(`.keras` files) but leaves it out of `tf.train.Checkpoint`'s object graph, so
a checkpoint would silently miss every weight inside such a list. Naming each
item as an attribute as well adds it to the graph; Keras de-duplicates the
layers, so weights and `.keras` files are unchanged.
"""


def name_items_for_checkpoints(layer, prefix: str, items) -> None:
  """Sets layer.<prefix>_<i> = items[i] for tf.train.Checkpoint."""
  for i, item in enumerate(items):
    setattr(layer, f'{prefix}_{i}', item)
