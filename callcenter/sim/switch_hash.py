"""FreeSWITCH's core hash table (`switch_core_hash_*`), reproduced for its iteration order.

mod_callcenter keeps its loaded queues in `globals.queue_hash` and `callcenter_config queue list`
walks that hash, so the order of the rows is the hash's bucket order, not the XML order. The
capture lists f0_home_care, public_services, epidemic_report because their buckets are 1, 9 and
16 of 53. Followed from the source:

* `src/switch_core_hash.c`: `switch_core_hash_init` is case-sensitive, it creates the table with
  `switch_create_hashtable(hash, 16, switch_hash_default, switch_hash_equalkeys)`, and
  `switch_core_hash_insert` inserts with `HASHTABLE_DUP_CHECK` (an existing key is removed first).
* `src/include/switch_hashtable.h`: `switch_hash_default` is the sdbm string hash.
* `src/include/private/switch_hashtable_private.h`: `hash()` mixes it (Java 1.4 logic),
  `indexFor` is `hash % tablelength`.
* `src/switch_hashtable.c`: sizes are primes (53 first), the load limit is
  `ceil(size * 0.65f)`, a new entry goes to the head of its bucket, `hashtable_expand` moves
  entries head first (which reverses each chain), iteration walks buckets 0..n-1 and each chain
  from its head.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from typing import Generic, TypeVar

V = TypeVar("V")

_MASK = 0xFFFFFFFF
_PRIMES = (
    53, 97, 193, 389, 769, 1543, 3079, 6151, 12289, 24593, 49157, 98317, 196613, 393241,
    786433, 1572869, 3145739, 6291469, 12582917, 25165843, 50331653, 100663319, 201326611,
    402653189, 805306457, 1610612741,
)
_MAX_LOAD_FACTOR = 0.6499999761581421  # the C float 0.65f, widened


def sdbm_hash(key: str, case_sensitive: bool = True) -> int:
    """`switch_hash_default` (or `_ci`, which lower-cases ASCII) over the key's UTF-8 bytes."""
    h = 0
    for c in key.encode("utf-8"):
        if not case_sensitive and 65 <= c <= 90:
            c += 32
        h = (c + (h << 6) + (h << 16) - h) & _MASK
    return h


@functools.lru_cache(maxsize=4096)  # queue names, looked up on every dispatch
def mixed_hash(key: str, case_sensitive: bool = True) -> int:
    """`hash()` of switch_hashtable_private.h: the extra mixing applied to every hash."""
    i = sdbm_hash(key, case_sensitive)
    i = (i + (~(i << 9) & _MASK)) & _MASK
    i ^= ((i >> 14) | (i << 18)) & _MASK
    i = (i + (i << 4)) & _MASK
    i ^= ((i >> 10) | (i << 22)) & _MASK
    return i


class SwitchHash(Generic[V]):
    """A string-keyed map that iterates exactly like FreeSWITCH's `switch_core_hash`."""

    def __init__(self, minsize: int = 16, case_sensitive: bool = True) -> None:
        self._case_sensitive = case_sensitive
        self._prime_index = 0
        size = _PRIMES[0]
        for index, prime in enumerate(_PRIMES):
            if prime > minsize:
                size, self._prime_index = prime, index
                break
        # Each bucket is a chain of (hash, key, value); element 0 is the chain's head.
        self._table: list[list[tuple[int, str, V]]] = [[] for _ in range(size)]
        self._count = 0
        self._load_limit = math.ceil(size * _MAX_LOAD_FACTOR)

    def _same(self, a: str, b: str) -> bool:
        return a == b if self._case_sensitive else a.lower() == b.lower()

    def _expand(self) -> None:
        if self._prime_index == len(_PRIMES) - 1:
            return
        self._prime_index += 1
        size = _PRIMES[self._prime_index]
        table: list[list[tuple[int, str, V]]] = [[] for _ in range(size)]
        for chain in self._table:
            for entry in chain:  # taken from the head, pushed at the new head: chains reverse
                table[entry[0] % size].insert(0, entry)
        self._table = table
        self._load_limit = math.ceil(size * _MAX_LOAD_FACTOR)

    def insert(self, key: str, value: V) -> None:
        """`switch_core_hash_insert`: replace any entry with that key, new entry first in chain."""
        h = mixed_hash(key, self._case_sensitive)
        self._remove(key, h)
        self._count += 1
        if self._count > self._load_limit:
            self._expand()
        self._table[h % len(self._table)].insert(0, (h, key, value))

    def _remove(self, key: str, h: int) -> V | None:
        chain = self._table[h % len(self._table)]
        for pos, (eh, ek, ev) in enumerate(chain):
            if eh == h and self._same(key, ek):
                del chain[pos]
                self._count -= 1
                return ev
        return None

    def delete(self, key: str) -> V | None:
        """`switch_core_hash_delete`: remove the key, returning its value (None when absent)."""
        return self._remove(key, mixed_hash(key, self._case_sensitive))

    def find(self, key: str) -> V | None:
        h = mixed_hash(key, self._case_sensitive)
        for eh, ek, ev in self._table[h % len(self._table)]:
            if eh == h and self._same(key, ek):
                return ev
        return None

    def items(self) -> Iterator[tuple[str, V]]:
        """Entries in `switch_core_hash_first`/`_next` order."""
        for chain in self._table:
            for _h, key, value in chain:
                yield key, value

    def values(self) -> Iterator[V]:
        for _key, value in self.items():
            yield value

    def __iter__(self) -> Iterator[str]:
        for key, _value in self.items():
            yield key

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.find(key) is not None
