"""The worker side: what runs inside the implementation's own interpreter.

The runner starts `python -m wbimage_conformance.worker` under whatever interpreter holds the
implementation (a wandb release's virtualenv, say) and speaks spec/PROTOCOL.md to it; docs
check starts `python -m wbimage_conformance.worker.doc_example` the same way. Such an
interpreter has its own NumPy, Pillow and perhaps torch, and nothing of the suite's, so this
package imports only the standard library, NumPy, Pillow (lazily), torch (lazily, when a case
needs it), `wbimage_conformance.reference` and itself; tests/worker/test_boundary.py enforces
it. The runner gives a foreign interpreter a private directory holding just this package and
the reference (run/worker_bundle.py), never the suite's site-packages.
"""
