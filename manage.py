#!/usr/bin/env python
"""Django's command-line utility; the same as the `baifang` console script."""

from baifang.__main__ import main

if __name__ == "__main__":
    main()
