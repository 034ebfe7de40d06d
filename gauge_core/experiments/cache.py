"""One small least-recently-used cache for results keyed by parameters (panels, experiments)."""
from __future__ import annotations

from collections import OrderedDict


class LRUCache:
    """Keep the ``size`` most recently used values.

    ``get_or(key, make)`` returns the cached value for ``key``, or calls ``make()``, stores and
    returns its result. Keys must be hashable (tuples of rounded control values, say).

    Examples
    --------
    >>> cache = LRUCache(2)
    >>> cache.get_or("a", lambda: 1), cache.get_or("b", lambda: 2), cache.get_or("a", lambda: 9)
    (1, 2, 1)
    >>> cache.get_or("c", lambda: 3); "b" in cache
    3
    False
    """

    def __init__(self, size=16):
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ValueError(f"size must be a positive integer, got {size!r}")
        self.size = size
        self._data = OrderedDict()

    def __contains__(self, key):
        return key in self._data

    def __len__(self):
        return len(self._data)

    def __getitem__(self, key):
        """The value for ``key`` without marking it as used (``KeyError`` if absent)."""
        return self._data[key]

    def get(self, key, default=None):
        """The value for ``key`` (marked as recently used) or ``default``."""
        if key not in self._data:
            return default
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key, value):
        """Store ``value`` under ``key``, evicting the least recently used beyond ``size``."""
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)
        return value

    def get_or(self, key, make):
        """The cached value for ``key``, computed with ``make()`` on a miss."""
        if key in self._data:
            self._data.move_to_end(key)
            return self._data[key]
        return self.put(key, make())

    def clear(self):
        self._data.clear()
