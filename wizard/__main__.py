"""`python -m wizard` runs the same command as `ecr-policy`."""

import sys

from wizard.cli import main

sys.exit(main())
