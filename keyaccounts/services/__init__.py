"""Every key-account write, one module per topic: plans, qualification, post-sale, news."""
