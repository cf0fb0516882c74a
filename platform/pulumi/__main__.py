"""Entry point of the Pulumi program: validate the stack's config, then build that environment."""

import config
import environment

environment.build(config.load())
