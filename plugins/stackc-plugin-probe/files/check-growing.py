#!/usr/bin/python3
"""Exits 0 when the file FILE grows within SECONDS seconds: check-growing.py FILE SECONDS.
Written by stackc for the probe's verification."""

import os
import sys
import time


def size():
    return os.path.getsize(sys.argv[1]) if os.path.exists(sys.argv[1]) else 0


before, deadline = size(), time.monotonic() + float(sys.argv[2])
while size() <= before and time.monotonic() < deadline:
    time.sleep(0.5)
sys.exit(0 if size() > before else 1)
