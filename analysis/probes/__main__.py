import sys

from analysis.probes.archive import main

sys.exit(main())
