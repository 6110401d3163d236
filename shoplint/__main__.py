from shoplint.cli import main

raise SystemExit(main())
