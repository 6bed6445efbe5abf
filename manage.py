#!/usr/bin/env python
"""Same as the `jinguo` console script."""

from jinguo.manage import main

if __name__ == "__main__":
    main()
