"""Settings shared by every Talkback test; no Home Assistant here (see tests/components/).

Home Assistant's test instance puts its configuration directory first on sys.path, which has
a `custom_components` package of its own. Importing ours first (it is only a namespace for
the integration, nothing of Home Assistant) makes `custom_components.talkback` resolve to
this repository in every test.
"""

from __future__ import annotations

import custom_components  # noqa: F401  (see the module docstring)
