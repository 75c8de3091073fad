"""Python's garbage collector tuned for a long-running web process (docs/decisions/029).

With the defaults, a full collection walks every object the process holds — about 200,000 after Django, the
models, URL patterns and templates are loaded — and stops one request for 80–100 ms roughly every 50 requests
(measured on the list pages, bench/README.md). ``settle()``, called once the application is loaded:

- moves everything alive at that moment to the permanent generation (``gc.freeze``), so later collections
  walk only what requests create (≈ 60,000 objects);
- lets the youngest generation grow to :data:`GEN0_THRESHOLD` container objects before it is collected
  (Python's default: 700), so a request's short-lived objects mostly go away by reference counting and the
  older generations are collected far less often.

Reference counting still frees almost everything at once; what waits longer is only cyclic garbage.
"""

import gc
from importlib import import_module

from django.conf import settings

#: new container objects before the youngest generation is collected (Python's default: 700)
GEN0_THRESHOLD = 20_000
#: collections of a generation before the next older one is collected too (Python's default: 10, 10)
OLDER_THRESHOLDS = (10, 10)


def settle() -> None:
    """Freeze what loading the application built and collect young objects less often."""
    import_module(settings.ROOT_URLCONF)  # every view (and all it imports) loaded before the freeze
    gc.collect()
    gc.freeze()
    gc.set_threshold(GEN0_THRESHOLD, *OLDER_THRESHOLDS)
