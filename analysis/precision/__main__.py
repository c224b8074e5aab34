from analysis.precision import main

raise SystemExit(main())
