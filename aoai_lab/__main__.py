"""``python -m aoai_lab …``: the emulator, the connection check and the code generator."""

import sys

from aoai_lab.cli import main

sys.exit(main())
