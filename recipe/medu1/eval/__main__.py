import sys

from recipe.medu1.eval.cli import main

sys.exit(main())
