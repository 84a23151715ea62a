# The GitLab convention: lock with POST and unlock with DELETE on a /lock URL.
# Statehouse accepts it as it is, so configurations written for GitLab move over unchanged
# apart from the addresses.
#
#   export TF_HTTP_USERNAME=admin TF_HTTP_PASSWORD=statehouse
#   terraform init && terraform apply
terraform {
  backend "http" {
    address        = "http://localhost:8080/state/example/network"
    lock_address   = "http://localhost:8080/lock/example/network"
    lock_method    = "POST"
    unlock_address = "http://localhost:8080/lock/example/network"
    unlock_method  = "DELETE"
  }
}

resource "terraform_data" "network" {
  input = {
    cidr = "10.20.0.0/16"
  }
}

output "cidr" {
  value = terraform_data.network.output.cidr
}
