import sys

from analysis.longctx.archive import main

sys.exit(main())
