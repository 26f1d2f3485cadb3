"""`python -m desktop`, or `hotline-desktop`: the agent desktop."""

import sys

from desktop.app import main

sys.exit(main())
