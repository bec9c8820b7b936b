"""HTTP plumbing shared by every feature's routes: dependencies, middleware, error handlers."""
