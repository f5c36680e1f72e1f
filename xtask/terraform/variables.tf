# Set by `cargo xtask terraform` to the `cogkit mock serve` it started.
variable "endpoint" {
  description = "The mock's URL (http://127.0.0.1:<port>): cognito-idp, cognito-identity and STS"
  type        = string

  validation {
    condition     = can(regex("^http://(127\\.0\\.0\\.1|localhost|\\[::1\\]):[0-9]+/?$", var.endpoint))
    error_message = "The endpoint must be a loopback http:// URL: this configuration is never applied to AWS."
  }
}
