#!/usr/bin/env python
"""Django's command-line utility; same as `python -m shortscience.manage`."""

from shortscience.manage import main

if __name__ == "__main__":
    main()
