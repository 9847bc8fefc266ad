import sys

from kubekit.cli import main

sys.exit(main())
