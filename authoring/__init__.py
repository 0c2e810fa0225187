"""The course authors' tools: build, execute, measure, publish (never on a learner's machine)."""
