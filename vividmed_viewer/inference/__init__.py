"""Running the model for the viewer and in batch.

- ``worker``: :class:`InferenceWorker`, a Qt worker that runs pipeline jobs off the GUI
  thread and streams text and phrases back as queued signals (Stop cancels).
- ``model_results``: the one place where the model's plain results become core types
  (:class:`ResultAdapter`: each phrase converted once, as it streams; provenance with
  the weights' state).
- ``model_runs``: :func:`run_report` / :func:`run_answer`, the model on an ``ImageVolume``
  through that adapter (used by the jobs, the batch runner and ``vividmed report``).
- ``jobs``: what the worker runs (load a model, write a report, answer a question).
- ``streaming``: Qt-free helpers that grow a ``GroundedReport`` or an answer as it streams.
- ``batch_cli``/``batch_runner``: ``vividmed infer`` (result bundles for reader studies).
- ``bundle_reader``: :func:`load_result_bundle` (a bundle back as a report and answers).
- ``forcing``: scripted decoding (tests, benchmarks, demos with untrained weights).

Importing this package imports neither Qt nor torch; its submodules do so where needed.
"""
