#!/usr/bin/env python3
"""An independent reader of a C2SP tlog-tiles log (issue 20's test): fetches
/checkpoint, every hash tile and entry bundle the tree of that size needs,
checks each entry hashes to its level-0 tile hash (RFC 6962 leaf hash), each
full tile hashes to its parent's entry, and computes the root from the tiles
— printing "ok SIZE ROOT" only if it is the checkpoint's. Standard library
only; written from the specification, not from sanquan's code."""
import base64
import hashlib
import sys
import urllib.request


def get(url):
    with urllib.request.urlopen(url) as r:
        return r.read()


def path(n):
    s = f"{n:03d}"
    parts = []
    while True:
        parts.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    parts.reverse()
    return "/".join(["x" + p for p in parts[:-1]] + [parts[-1]])


def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def mth(hashes):
    """RFC 6962 Merkle tree hash of a list of subtree hashes of equal size."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node(mth(hashes[:k]), mth(hashes[k:]))


def main(base):
    note = get(base + "/checkpoint").decode()
    origin, size, root = note.split("\n")[:3]
    size, root = int(size), base64.b64decode(root)
    # Level 0: leaf hashes, checked against the entry bundles.
    levels = []
    level, width = 0, size
    while width > 0:
        hashes = []
        for n in range((width + 255) // 256):
            w = min(256, width - n * 256)
            suffix = "" if w == 256 else f".p/{w}"
            tile = get(f"{base}/tile/{level}/{path(n)}{suffix}")
            assert len(tile) == 32 * w, (level, n, len(tile))
            hashes += [tile[i:i + 32] for i in range(0, len(tile), 32)]
            if level == 0:
                bundle = get(f"{base}/tile/entries/{path(n)}{suffix}")
                at, i = 0, 0
                while at < len(bundle):
                    ln = int.from_bytes(bundle[at:at + 2], "big")
                    entry = bundle[at + 2:at + 2 + ln]
                    at += 2 + ln
                    leaf = hashlib.sha256(b"\x00" + entry).digest()
                    assert leaf == hashes[n * 256 + i], f"entry {n * 256 + i} does not hash to its tile"
                    i += 1
                assert i == w, (n, i, w)
        if levels:
            # Each full tile below hashes to this level's hash.
            below = levels[-1]
            for j, h in enumerate(hashes):
                assert mth(below[j * 256:(j + 1) * 256]) == h, f"tile {level - 1}/{j} does not hash to its parent"
        levels.append(hashes)
        level, width = level + 1, width // 256
    # The root: the tree's full subtrees from the highest level down, then
    # RFC 6962 over what remains of each level.
    def subtree(lo, hi):
        """MTH of leaves [lo, hi) from the tiles, using the largest whole subtrees."""
        n = hi - lo
        if n == 1:
            return levels[0][lo]
        k = 1
        while k * 2 < n:
            k *= 2
        # A complete aligned subtree of 256^l leaves is one tile hash.
        for l in range(len(levels) - 1, 0, -1):
            span = 256 ** l
            if n == span and lo % span == 0:
                return levels[l][lo // span]
        return node(subtree(lo, lo + k), subtree(lo + k, hi))

    got = subtree(0, size)
    assert got == root, "the tiles' root is not the checkpoint's"
    print(f"ok {size} {base64.b64encode(root).decode()} {origin}")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
