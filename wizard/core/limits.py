"""How much outside input is read, and the one function that reads it.

Every read of a file, a pipe or a paste is capped, so `/dev/zero` or `yes | ...` costs a
bounded amount of memory and time and ends in a clear message naming the limit.
"""

from __future__ import annotations

import os
import stat
from collections import namedtuple
from typing import BinaryIO


class Limit(namedtuple("Limit", "what size unit")):
    """A cap on one kind of input: what it is, the largest size, in which unit."""

    __slots__ = ()

    def describe(self) -> str:
        return f"{self.size:,} {self.unit}"


POLICY_BYTES = Limit("a policy document", 256 * 1024, "bytes")
"""IAM's largest documents hold about 10 KB; 256 KiB leaves room for generous formatting and
for over-limit policies that `check` should still read and report."""
REPOSITORY_LIST_BYTES = Limit("a repository list", 8 * 1024 * 1024, "bytes")
REPOSITORY_NAMES = Limit("a repository list", 100_000, "names")
"""ECR's default quota is 100,000 repositories per registry (region)."""
MESSAGE_BYTES = Limit("an error message", 64 * 1024, "bytes")
JSON_DEPTH = 64
"""Nesting deeper than any policy needs (Condition blocks are 3 levels inside a statement)."""
JSON_NUMBER_DIGITS = 100


class InputError(Exception):
    """The input cannot be read: the message says why and, for a size, which limit."""


def read_bytes_limited(stream: BinaryIO, limit: Limit, label: str) -> bytes:
    """At most limit.size bytes from `stream`; one byte more means the input is too large."""
    data = stream.read(limit.size + 1)
    if len(data) > limit.size:
        raise InputError(f"{label} is larger than {limit.describe()}, the limit for {limit.what}")
    return data


def decode_text(data: bytes, label: str) -> str:
    """UTF-8 text (a leading byte-order mark is dropped: editors on Windows write one)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{label} is not UTF-8 text (byte {error.start + 1} cannot be decoded)") from None


def read_path_limited(path: str, limit: Limit, label: str | None = None, *, regular_only: bool = False) -> str:
    """The text of the file at `path`, within `limit`.

    regular_only: refuse devices, pipes and sockets before opening them (the wizard must never
    block on a FIFO or read a terminal).
    """
    label = label or repr(path)
    expanded = os.path.expanduser(path)
    try:
        if regular_only:
            mode = os.stat(expanded).st_mode
            if stat.S_ISDIR(mode):
                raise InputError(f"{label} is a directory, not a file")
            if not stat.S_ISREG(mode):
                raise InputError(f"{label} is not a regular file (a device, a pipe or a socket)")
        with open(expanded, "rb") as stream:
            data = read_bytes_limited(stream, limit, label)
    except OSError as error:
        raise InputError(f"cannot read {label}: {error.strerror or error}") from None
    return decode_text(data, label)
