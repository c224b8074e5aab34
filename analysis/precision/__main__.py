from analysis.precision.datasets import main

raise SystemExit(main())
