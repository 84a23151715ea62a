# Terraform state in Statehouse with the http backend's default methods:
# GET/POST on the state URL, LOCK/UNLOCK on the same URL.
#
#   export TF_HTTP_USERNAME=admin TF_HTTP_PASSWORD=statehouse
#   terraform init && terraform apply
terraform {
  backend "http" {
    address        = "http://localhost:8080/state/example/app"
    lock_address   = "http://localhost:8080/state/example/app"
    unlock_address = "http://localhost:8080/state/example/app"
    # username and password come from TF_HTTP_USERNAME and TF_HTTP_PASSWORD.
  }
}

variable "release" {
  type    = string
  default = "v1"
}

resource "terraform_data" "release" {
  input = var.release
}

output "release" {
  value = terraform_data.release.output
}
