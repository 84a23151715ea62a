# Read another configuration's outputs from Statehouse with terraform_remote_state.
# Reading never locks; a user with read access is enough.
#
#   export TF_HTTP_USERNAME=admin TF_HTTP_PASSWORD=statehouse
#   terraform init && terraform apply && terraform output app_release
variable "app_state" {
  type    = string
  default = "http://localhost:8080/state/example/app"
}

data "terraform_remote_state" "app" {
  backend = "http"
  config = {
    address = var.app_state
    # username and password come from TF_HTTP_USERNAME and TF_HTTP_PASSWORD.
  }
}

output "app_release" {
  value = data.terraform_remote_state.app.outputs.release
}
