"""The library logger: no handlers here; only the CLI configures output."""

import logging

logger = logging.getLogger("gqr")
logger.addHandler(logging.NullHandler())
