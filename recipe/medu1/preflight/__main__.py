import sys

from recipe.medu1.preflight.cli import main

sys.exit(main())
