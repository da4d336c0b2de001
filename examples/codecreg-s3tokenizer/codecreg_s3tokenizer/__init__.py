"""An example codecreg plugin: S3Tokenizer, a supervised semantic speech tokenizer with no decoder."""
