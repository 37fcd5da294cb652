"""Genre guidance at sampling time: classifier-free guidance and reranking."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.generation import generate_lib
from genre_transformer_gan.generation import guidance
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import genre_classifier
from tests import tiny_models


@pytest.mark.parametrize('spec, kind, candidates, scale', [
    ('none', 'none', 1, 0.0), ('', 'none', 1, 0.0),
    ('rerank:4', 'rerank', 4, 0.0), ('rerank:1', 'rerank', 1, 0.0),
    ('drs:4', 'drs', 4, 0.0), ('chunk:3', 'chunk', 3, 0.0),
    ('cfg:1.5', 'cfg', 1, 1.5),
    ('cfg:0', 'cfg', 1, 0.0)])
def test_parse(spec, kind, candidates, scale):
  parsed = guidance.Guidance.parse(spec)
  assert (parsed.kind, parsed.candidates, parsed.scale) == (
      kind, candidates, scale)


@pytest.mark.parametrize('spec', ['rerank', 'rerank:0', 'rerank:2.5',
                                  'drs:0', 'chunk:0', 'cfg:-1', 'cfg:x',
                                  'none:2', 'beam:4'])
def test_parse_refuses_with_the_forms_it_takes(spec):
  with pytest.raises(ValueError, match='rerank:N, drs:N or chunk:N .* cfg:G'):
    guidance.Guidance.parse(spec)


def _guided_greedy(model, context, genre_token, others, scale):
  """The next greedy token from full forward passes, one per genre token."""
  rows = [np.concatenate([[token], context[1:]]) for token in
          [genre_token] + others]
  logits = np.stack([np.array(model(np.asarray(r)[None]))[0, -1]
                     for r in rows])
  guided = np.array(sampling.guided_logits(
      tf.constant(logits[:, None]), scale))[0]
  guided[:vocab.NUM_RESERVED] = -np.inf
  guided[vocab.GENRE_OFFSET:] = -np.inf
  return int(np.argmax(guided))


def test_cached_guidance_equals_full_forward_guidance():
  """Greedy cfg sampling (top_k 1) through the cache picks, at each step,
  the argmax of l_own + g (l_own - mean l_other) of full forward passes."""
  model = tiny_models.generator(seed=3)
  own = tiny_models.VOCAB.genre_token('folk')
  others = [tiny_models.VOCAB.genre_token(g) for g in ('classical', 'early')]
  sampler = sampling.Sampler(model, top_k=1, guidance_scale=2.0,
                             other_genre_tokens=others)
  prompts = np.array([[own, 60, 300], [own, 70, 310]], np.int32)
  tokens = sampler.generate(prompts, 12, seed=0)
  plain = sampling.Sampler(model, top_k=1).generate(prompts, 12, seed=0)
  assert not np.array_equal(tokens, plain)  # guidance changed something
  for row in tokens:
    for t in range(3, tokens.shape[1]):
      assert row[t] == _guided_greedy(model, row[:t], own, others, 2.0), t


def test_guided_logits():
  # Own [1, 2]; others [0, 4] and [0, 0], whose mean is [0, 2].
  logits = tf.constant([[[1.0, 2.0]], [[0.0, 4.0]], [[0.0, 0.0]]])
  np.testing.assert_allclose(sampling.guided_logits(logits, 0.0), [[1, 2]])
  np.testing.assert_allclose(sampling.guided_logits(logits, 1.0), [[2, 2]])
  np.testing.assert_allclose(sampling.guided_logits(logits, 2.0), [[3, 2]])
  np.testing.assert_allclose(sampling.guided_logits(logits[:2], 0.5),
                             [[1.5, 1.0]])


def _loaded(model):
  config = type('Config', (), {'sampling': configs.SamplingConfig(
      temperature=1.0, top_k=0, top_p=0.95)})()
  return generate_lib.LoadedGenerator(model, config, None, tiny_models.VOCAB)


@pytest.mark.parametrize('spec', ['cfg:0', 'rerank:1', 'drs:1', 'chunk:1'])
def test_no_guidance_amount_equals_plain_sampling(spec):
  generator = _loaded(tiny_models.generator(seed=4))
  settings = generate_lib.GenerateSettings(genre='folk', num_samples=3,
                                           length=20, seed=5, batch_size=2)
  plain = generate_lib.sample(generator, settings, log=lambda _: None)
  steered = generate_lib.sample(
      generator, generate_lib.GenerateSettings(
          **{**settings.__dict__, 'guidance': spec}), log=lambda _: None,
      classifier=tiny_models.classifier(generated_class=True))
  np.testing.assert_array_equal(plain, steered)


def test_the_configs_ngram_cache_is_drawn_with_unless_turned_off():
  model = tiny_models.generator(seed=4)
  cached = generate_lib.LoadedGenerator(model, type('Config', (), {
      'sampling': configs.SamplingConfig(
          temperature=1.0, top_p=0.95, cache_fade=0.7,
          genre_cache_weights=(('folk', (1.0,) * 8),))})(), None,
                                        tiny_models.VOCAB)
  settings = generate_lib.GenerateSettings(genre='folk', num_samples=3,
                                           length=30, seed=5, batch_size=3)
  quiet = lambda _: None
  plain = generate_lib.sample(_loaded(model), settings, log=quiet)
  assert not np.array_equal(
      generate_lib.sample(cached, settings, log=quiet), plain)
  np.testing.assert_array_equal(generate_lib.sample(
      cached, dataclasses.replace(settings, ngram_cache=False), log=quiet),
                                plain)


def test_window_scores_are_the_weakest_window():
  classifier = genre_classifier.freeze(tiny_models.classifier(seed=2))
  rng = np.random.default_rng(0)
  sequences = [rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET, n)
               for n in (10, 300, 600)]
  scores = guidance.window_scores(classifier, sequences, 'folk', window=256,
                                  hop=128)
  target = classifier.genres.index('folk')
  for tokens, score in zip(sequences, scores):
    starts = ([0] if len(tokens) <= 256 else
              sorted(set(range(0, len(tokens) - 255, 128)) |
                     {len(tokens) - 256}))
    expected = min(float(tf.nn.log_softmax(classifier(
        tokens[s:s + 256][None].astype(np.int32)))[0, target])
                   for s in starts)
    assert score == pytest.approx(expected, abs=1e-4)
  with pytest.raises(ValueError, match='not jazz'):
    guidance.window_scores(classifier, sequences, 'jazz')


def test_best_of_prefers_score_then_likelihood():
  scores = np.array([[-0.5, -0.1, -0.3], [0.0, -0.00001, -2.0]])
  likelihood = np.array([[-9.0, -1.0, -0.5], [-3.0, -1.0, -0.1]])
  # Row 0: the highest score wins; row 1: a tie at 3 decimals goes to the
  # likelier candidate.
  assert guidance.best_of(scores, likelihood).tolist() == [1, 1]


def test_rerank_keeps_the_best_candidate_of_each_sample():
  classifier = genre_classifier.freeze(tiny_models.classifier(seed=2))
  model = tiny_models.generator(seed=4)
  token = tiny_models.VOCAB.genre_token('folk')
  rng = np.random.default_rng(1)
  candidates = rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                            [2, 4, 40]).astype(np.int32)
  chosen = guidance.rerank(candidates, classifier, model, 'folk', token)
  scores = guidance.window_scores(classifier, list(candidates.reshape(8, 40)),
                                  'folk').reshape(2, 4)
  for row in range(2):
    np.testing.assert_array_equal(
        chosen[row], candidates[row, np.argmax(np.round(scores[row], 3))])
  likelihood = guidance.log_likelihood(model, list(candidates[0]), token)
  assert likelihood.shape == (4,) and (likelihood < 0).all()


def test_density_ratios_average_the_windows_log_ratio():
  """drs:N's weight: mean over windows of log p(genre) - log p(generated)."""
  classifier = genre_classifier.freeze(
      tiny_models.classifier(seed=2, generated_class=True))
  rng = np.random.default_rng(0)
  sequences = [rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET, n)
               for n in (10, 300, 600)]
  ratios = guidance.log_density_ratios(classifier, sequences, 'folk',
                                       window=256, hop=128)
  target = classifier.genres.index('folk')
  for tokens, ratio in zip(sequences, ratios):
    starts = ([0] if len(tokens) <= 256 else
              sorted(set(range(0, len(tokens) - 255, 128)) |
                     {len(tokens) - 256}))
    log_p = np.stack([np.array(tf.nn.log_softmax(classifier(
        tokens[s:s + 256][None].astype(np.int32))))[0] for s in starts])
    assert ratio == pytest.approx(
        np.mean(log_p[:, target] - log_p[:, -1]), abs=1e-4)


def test_resampling_draws_in_proportion_to_the_weights():
  """Sampling-importance-resampling, not best-of-N: weights 1 : 3 give the
  second candidate three draws in four; a seed repeats its draws."""
  weights = np.tile(np.log([[1.0, 3.0, 1e-9]]), [4000, 1])
  drawn = guidance.resample(weights, seed=3)
  share = np.bincount(drawn, minlength=3) / len(drawn)
  np.testing.assert_allclose(share, [0.25, 0.75, 0.0], atol=0.03)
  np.testing.assert_array_equal(drawn, guidance.resample(weights, seed=3))
  assert not np.array_equal(drawn, guidance.resample(weights, seed=4))
  # Huge log weights (a saturated discriminator) stay finite.
  assert guidance.resample(np.array([[800.0, 0.0]]), 0).tolist() == [0]


def test_drs_draws_each_sample_from_its_own_candidates():
  classifier = genre_classifier.freeze(
      tiny_models.classifier(seed=2, generated_class=True))
  rng = np.random.default_rng(1)
  candidates = rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                            [3, 4, 40]).astype(np.int32)
  chosen = guidance.importance_resample(candidates, classifier, 'folk', 7)
  ratios = guidance.log_density_ratios(
      classifier, list(candidates.reshape(12, 40)), 'folk').reshape(3, 4)
  expected = guidance.resample(ratios, 7)
  for row in range(3):
    np.testing.assert_array_equal(chosen[row], candidates[row, expected[row]])


def test_drs_without_a_generated_class_is_a_one_line_error():
  steer = guidance.Guidance.parse('drs:4')
  with pytest.raises(ValueError) as error:
    steer.check_classifier(tiny_models.classifier())
  assert "class 'generated'" in str(error.value)
  assert 'rerank:4' in str(error.value) and '\n' not in str(error.value)
  steer.check_classifier(tiny_models.classifier(generated_class=True))
  # A direct call says the same, not a bare list.index error.
  with pytest.raises(ValueError, match="class 'generated'") as error:
    guidance.log_density_ratios(tiny_models.classifier(), [np.arange(4, 40)],
                                'folk')
  assert '\n' not in str(error.value)


def test_a_guide_ranks_in_place_of_the_judges_classifier(tmp_path):
  """generate_files(guide=...) ranks with the guide (e.g. a K+1 classifier)
  and needs no judge."""
  from genre_transformer_gan.models import generator_io  # pylint: disable=import-outside-toplevel
  generator = generate_lib.LoadedGenerator(
      tiny_models.generator(), configs.get_config('tiny'),
      generator_io.GeneratorCheckpoint(str(tmp_path), 'ckpt-0', 'mle',
                                       'mle'), tiny_models.VOCAB)
  settings = generate_lib.GenerateSettings(genre='folk', num_samples=2,
                                           length=8, guidance='rerank:2',
                                           synth='none', batch_size=2)
  guide = genre_classifier.freeze(tiny_models.classifier(seed=2))
  index = generate_lib.generate_files(
      generator, str(tmp_path / 'out'), settings, log=lambda _: None,
      guide=guide)
  plain = generate_lib.sample(generator, settings, log=lambda _: None,
                              classifier=guide)
  assert len(index['samples']) == 2
  np.testing.assert_array_equal(
      np.load(tmp_path / 'out' / 'folk_00.npy'), plain[0])


def test_rerank_without_a_classifier_is_a_one_line_error(tmp_path):
  generator = _loaded(tiny_models.generator())
  settings = generate_lib.GenerateSettings(genre='folk', num_samples=1,
                                           length=8, guidance='rerank:2',
                                           synth='none')
  with pytest.raises(ValueError, match='--classifier_path'):
    generate_lib.generate_files(generator, str(tmp_path / 'out'), settings)
  assert not (tmp_path / 'out').exists()


def test_report_samples_with_guidance(tmp_path):
  """final_report's samples: plain as the monitor draws them; rerank:2 the
  best of two candidates by the guide (draw), each written as MIDI + .npy."""
  from genre_transformer_gan.training import final_report  # pylint: disable=import-outside-toplevel
  model = tiny_models.generator(seed=6)
  guide = genre_classifier.freeze(tiny_models.classifier(seed=2))
  decode = configs.get_config('tiny').sampling
  steer = guidance.Guidance.parse('rerank:2')
  samples = final_report.write_samples(
      model, tiny_models.VOCAB, 'folk', str(tmp_path / 'steered'), 3, 16,
      seed=1, sampling_config=decode, steer=steer, guide=guide)
  expected = guidance.draw(
      guidance.make_sampler(model, tiny_models.VOCAB, 'folk', steer,
                            decode.temperature, decode.top_k, decode.top_p),
      steer, np.full([3, 1], tiny_models.VOCAB.genre_token('folk')), 16, 1,
      guide, 'folk')
  np.testing.assert_array_equal(samples, expected)
  assert len(list((tmp_path / 'steered').glob('*.npy'))) == 3
  with pytest.raises(ValueError, match='--classifier_path'):
    final_report.write_samples(model, tiny_models.VOCAB, 'folk',
                               str(tmp_path / 'x'), 3, 16, steer=steer,
                               sampling_config=decode)


def test_a_report_of_samples_drawn_before_judges_them_unchanged(
    tmp_path, monkeypatch):
  """final_report(samples=...): those samples judged, none drawn."""
  from genre_transformer_gan.evaluation import report  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import final_report  # pylint: disable=import-outside-toplevel
  judged = {}

  def evaluate_genre(genre, samples, *args, **kwargs):
    judged.update(genre=genre, samples=samples, **kwargs)
    return []

  monkeypatch.setattr(report, 'evaluate_genre', evaluate_genre)
  monkeypatch.setattr(final_report.likelihood, 'genre_nll',
                      lambda *args, **kwargs: 1.5)
  monkeypatch.setattr(final_report, 'write_samples', None)  # never called
  music = type('Music', (), {'vocabulary': tiny_models.VOCAB,
                             'name': 'x'})()
  drawn = [np.arange(3, 9, dtype=np.int32), np.arange(4, 7, dtype=np.int32)]
  final_report.final_report(
      configs.get_config('tiny'), music, tiny_models.generator(), 'folk',
      None, None, str(tmp_path), 2, 16, seed=3, reference_split='test',
      samples=drawn)
  assert judged['samples'] == drawn and judged['nll'] == 1.5
  assert judged['reference_split'] == 'test'
  assert (tmp_path / 'evaluation.json').exists()
  assert not (tmp_path / 'samples').exists()


def _judged_by_a_stub(monkeypatch):
  """({}, music): final_report's judges replaced by a stub that records
  the samples and controls it is given in the dict; NLL 1.5."""
  from genre_transformer_gan.evaluation import report  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import final_report  # pylint: disable=import-outside-toplevel
  judged = {}
  monkeypatch.setattr(report, 'evaluate_genre',
                      lambda genre, samples, *a, **k: judged.update(
                          samples=samples, controls=k['controls']) or [])
  monkeypatch.setattr(final_report.likelihood, 'genre_nll',
                      lambda *args, **kwargs: 1.5)
  return judged, type('Music', (), {'vocabulary': tiny_models.VOCAB,
                                    'name': 'x'})()


def test_the_unguided_control_is_the_first_candidate_of_each_sample(
    tmp_path, monkeypatch):
  """final_report(control=the same generator unguided): its samples are the
  candidates rerank:N / drs:N drew anyway (candidates[:, 0]), not drawn
  again; a guided control or another generator draws its own."""
  from genre_transformer_gan.training import final_report  # pylint: disable=import-outside-toplevel
  judged, music = _judged_by_a_stub(monkeypatch)
  model = tiny_models.generator(seed=6)
  guide = genre_classifier.freeze(tiny_models.classifier(seed=2))
  config = configs.get_config('tiny')
  decode = config.sampling
  steer = guidance.Guidance.parse('rerank:3')
  chosen, candidates = guidance.draw(
      guidance.make_sampler(model, tiny_models.VOCAB, 'folk', steer,
                            decode.temperature, decode.top_k, decode.top_p),
      steer, np.full([4, 1], tiny_models.VOCAB.genre_token('folk')), 16, 5,
      guide, 'folk', with_candidates=True)
  assert candidates.shape == (4, 3, 16)
  assert all(any((c == row).all() for c in group)
             for row, group in zip(chosen, candidates))
  calls = []
  monitor_sample = final_report.monitor.SampleMonitor.sample
  monkeypatch.setattr(final_report.monitor.SampleMonitor, 'sample',
                      lambda self, g: calls.append(g) or monitor_sample(
                          self, g))
  final_report.final_report(
      config, music, model, 'folk', None, None, str(tmp_path), 4, 16,
      seed=5, control=model, guidance_spec='rerank:3', guide=guide)
  np.testing.assert_array_equal(judged['samples'], chosen)
  name, control_samples, nll = judged['controls'][0]
  assert name == final_report.CONTROL_ROW and nll == 1.5
  np.testing.assert_array_equal(control_samples, candidates[:, 0])
  np.testing.assert_array_equal(
      np.load(tmp_path / 'samples_control' / 'folk_03.npy'),
      candidates[3, 0])
  assert not calls  # Nothing sampled for the control.
  other = tiny_models.generator(seed=7)
  final_report.final_report(
      config, music, model, 'folk', None, None, str(tmp_path / 'b'), 4, 16,
      seed=5, control=other, guidance_spec='rerank:3', guide=guide)
  assert calls == [other]
  # Drawn beside the generator's (another thread): the same tokens as alone.
  np.testing.assert_array_equal(judged['samples'], chosen)
  np.testing.assert_array_equal(
      judged['controls'][0][1], final_report.write_samples(
          other, tiny_models.VOCAB, 'folk', str(tmp_path / 'alone'), 4, 16,
          seed=5, sampling_config=decode))


def test_the_report_caps_what_it_judges_and_writes(tmp_path, monkeypatch):
  """SamplingConfig.max_note_seconds: the report's samples and its unguided
  control (the first candidates) are judged and written with their notes
  capped, as genre_gan_generate writes them (notes.cap_seconds)."""
  import dataclasses  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import notes as notes_lib  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import final_report  # pylint: disable=import-outside-toplevel
  judged, music = _judged_by_a_stub(monkeypatch)
  model = tiny_models.generator(seed=6)
  guide = genre_classifier.freeze(tiny_models.classifier(seed=2))
  tiny = configs.get_config('tiny')
  config = dataclasses.replace(tiny, sampling=dataclasses.replace(
      tiny.sampling, max_note_seconds=0.05))
  steer = guidance.Guidance.parse('rerank:2')
  chosen, candidates = guidance.draw(
      guidance.make_sampler(model, tiny_models.VOCAB, 'folk', steer,
                            tiny.sampling.temperature, tiny.sampling.top_k,
                            tiny.sampling.top_p),
      steer, np.full([4, 1], tiny_models.VOCAB.genre_token('folk')), 64, 5,
      guide, 'folk', with_candidates=True)
  final_report.final_report(
      config, music, model, 'folk', None, None, str(tmp_path), 4, 64,
      seed=5, control=model, guidance_spec='rerank:2', guide=guide)
  _, control_samples, _ = judged['controls'][0]
  changed = 0
  for drawn, first, sample, control, i in zip(
      chosen, candidates[:, 0], judged['samples'], control_samples,
      range(4)):
    np.testing.assert_array_equal(sample, notes_lib.cap_seconds(drawn, 0.05))
    np.testing.assert_array_equal(control, notes_lib.cap_seconds(first, 0.05))
    np.testing.assert_array_equal(
        np.load(tmp_path / 'samples' / f'folk_{i:02d}.npy'), sample)
    np.testing.assert_array_equal(
        np.load(tmp_path / 'samples_control' / f'folk_{i:02d}.npy'), control)
    changed += len(sample) != len(drawn) or np.any(sample != drawn)
  assert changed  # The cap had notes to end.


def test_chunked_reranking_keeps_the_best_continuation_of_each_chunk(
    monkeypatch):
  monkeypatch.setattr(guidance, 'CHUNK', 8)
  monkeypatch.setattr(guidance, 'WINDOW', 12)
  model = tiny_models.generator(seed=7)
  classifier = genre_classifier.freeze(tiny_models.classifier(seed=2))
  steer = guidance.Guidance.parse('chunk:3')
  sampler = guidance.make_sampler(model, tiny_models.VOCAB, 'folk', steer)
  prompts = np.array([[tiny_models.VOCAB.genre_token('folk'), 60, 300]] * 2,
                     np.int32)
  tokens = guidance.draw(sampler, steer, prompts, 20, 3, classifier, 'folk')
  assert tokens.shape == (2, 2 + 20)
  np.testing.assert_array_equal(tokens[:, :2], prompts[:, 1:])
  np.testing.assert_array_equal(tokens, guidance.draw(
      sampler, steer, prompts, 20, 3, classifier, 'folk'))
  # The first chunk: the best of its 3 candidates, scored on the chunk.
  first = sampler.generate(np.repeat(prompts, 3, axis=0), 8,
                           seed=3 * 7919).reshape(2, 3, -1)
  scores = guidance.window_scores(
      classifier, [c[3:] for c in first.reshape(6, -1)], 'folk',
      window=12).reshape(2, 3)
  for row in range(2):
    np.testing.assert_array_equal(
        tokens[row, :10], first[row, np.argmax(np.round(scores[row], 3)),
                                1:])
