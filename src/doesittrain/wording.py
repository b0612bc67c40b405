"""Every reader-facing word that is not a verdict sentence: labels, titles, messages, the licence line.

`verdicts.py` builds the sentences that state a verdict; this module holds the fixed words around them, one label per
value, so pages, the API, feeds, badges and emails all say the same thing.
"""

from __future__ import annotations
