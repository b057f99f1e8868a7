"""foramen: section-level search for medical articles (the command line lives in ``cli``)."""
