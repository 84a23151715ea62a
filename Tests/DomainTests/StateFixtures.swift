/// Terraform v4 states as Terraform 1.14 writes them, for the header and diff tests.
enum StateFixtures {
    /// Serial 41: a data source, two root `terraform_data` resources (one holding a sensitive
    /// value), a module resource with `count` and one with `for_each`, and three outputs.
    static let before = """
        {
          "version": 4,
          "terraform_version": "1.14.0",
          "serial": 41,
          "lineage": "3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a",
          "outputs": {
            "endpoint": {
              "value": "https://app.example.com",
              "type": "string"
            },
            "db_password": {
              "value": "hunter2-old",
              "type": "string",
              "sensitive": true
            },
            "zones": {
              "value": ["a", "b"],
              "type": ["list", "string"]
            }
          },
          "resources": [
            {
              "mode": "data",
              "type": "terraform_remote_state",
              "name": "network",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "schema_version": 0,
                  "attributes": {
                    "backend": "http",
                    "config": {
                      "value": {"address": "https://statehouse.example.com/v1/states/network"},
                      "type": ["object", {"address": "string"}]
                    },
                    "defaults": null,
                    "outputs": {"value": {"vpc_id": "vpc-0a1b"}, "type": ["object", {"vpc_id": "string"}]},
                    "workspace": null
                  },
                  "sensitive_attributes": []
                }
              ]
            },
            {
              "mode": "managed",
              "type": "terraform_data",
              "name": "app",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "schema_version": 0,
                  "attributes": {
                    "id": "5d4e1a2b-7c3f-4e0a-9b8c-1d2e3f4a5b6c",
                    "input": {"value": {"serial": 7, "version": "v1"}, "type": ["object", {"serial": "number", "version": "string"}]},
                    "output": {"value": {"serial": 7, "version": "v1"}, "type": ["object", {"serial": "number", "version": "string"}]},
                    "triggers_replace": null
                  },
                  "sensitive_attributes": [],
                  "identity_schema_version": 0
                }
              ]
            },
            {
              "mode": "managed",
              "type": "terraform_data",
              "name": "secret",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "schema_version": 0,
                  "attributes": {
                    "id": "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f",
                    "input": {"value": "s3cr3t-before", "type": "string"},
                    "output": {"value": "s3cr3t-before", "type": "string"},
                    "triggers_replace": null
                  },
                  "sensitive_attributes": [
                    [{"type": "get_attr", "value": "input"}],
                    [{"type": "get_attr", "value": "output"}]
                  ]
                }
              ]
            },
            {
              "module": "module.workers",
              "mode": "managed",
              "type": "terraform_data",
              "name": "node",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "index_key": 0,
                  "schema_version": 0,
                  "attributes": {"id": "node-0", "input": null, "output": null, "triggers_replace": null},
                  "sensitive_attributes": [],
                  "dependencies": ["terraform_data.app"]
                },
                {
                  "index_key": 1,
                  "schema_version": 0,
                  "attributes": {"id": "node-1", "input": null, "output": null, "triggers_replace": null},
                  "sensitive_attributes": []
                }
              ]
            },
            {
              "module": "module.workers",
              "mode": "managed",
              "type": "terraform_data",
              "name": "queue",
              "each": "map",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "index_key": "jobs",
                  "schema_version": 0,
                  "attributes": {"id": "queue-jobs", "input": null, "output": null, "triggers_replace": null},
                  "sensitive_attributes": []
                }
              ]
            }
          ],
          "check_results": null
        }

        """

    /// Serial 42, after an apply that changed `app` and the secret, replaced `node[1]` by
    /// `node[2]`, added `queue["sms"]`, and changed the outputs. `node[0]` only changed its
    /// dependencies and schema version, which are not attribute changes.
    static let after = """
        {
          "version": 4,
          "terraform_version": "1.14.1",
          "serial": 42,
          "lineage": "3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a",
          "outputs": {
            "endpoint": {
              "value": "https://app2.example.com",
              "type": "string"
            },
            "db_password": {
              "value": "hunter2-new",
              "type": "string",
              "sensitive": true
            },
            "region": {
              "value": "eu-west-1",
              "type": "string"
            }
          },
          "resources": [
            {
              "mode": "data",
              "type": "terraform_remote_state",
              "name": "network",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "schema_version": 0,
                  "attributes": {
                    "backend": "http",
                    "config": {
                      "value": {"address": "https://statehouse.example.com/v1/states/network"},
                      "type": ["object", {"address": "string"}]
                    },
                    "defaults": null,
                    "outputs": {"value": {"vpc_id": "vpc-0a1b"}, "type": ["object", {"vpc_id": "string"}]},
                    "workspace": null
                  },
                  "sensitive_attributes": []
                }
              ]
            },
            {
              "mode": "managed",
              "type": "terraform_data",
              "name": "app",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "schema_version": 0,
                  "attributes": {
                    "id": "5d4e1a2b-7c3f-4e0a-9b8c-1d2e3f4a5b6c",
                    "input": {"value": {"serial": 8, "version": "v2"}, "type": ["object", {"serial": "number", "version": "string"}]},
                    "output": {"value": {"serial": 8, "version": "v2"}, "type": ["object", {"serial": "number", "version": "string"}]},
                    "triggers_replace": null
                  },
                  "sensitive_attributes": [],
                  "identity_schema_version": 0
                }
              ]
            },
            {
              "mode": "managed",
              "type": "terraform_data",
              "name": "secret",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "schema_version": 0,
                  "attributes": {
                    "id": "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f",
                    "input": {"value": "s3cr3t-after", "type": "string"},
                    "output": {"value": "s3cr3t-after", "type": "string"},
                    "triggers_replace": null
                  },
                  "sensitive_attributes": [
                    [{"type": "get_attr", "value": "input"}],
                    [{"type": "get_attr", "value": "output"}]
                  ]
                }
              ]
            },
            {
              "module": "module.workers",
              "mode": "managed",
              "type": "terraform_data",
              "name": "node",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "index_key": 0,
                  "schema_version": 1,
                  "attributes": {"id": "node-0", "input": null, "output": null, "triggers_replace": null},
                  "sensitive_attributes": [],
                  "dependencies": ["terraform_data.app", "terraform_data.secret"]
                },
                {
                  "index_key": 2,
                  "schema_version": 0,
                  "attributes": {"id": "node-2", "input": null, "output": null, "triggers_replace": null},
                  "sensitive_attributes": []
                }
              ]
            },
            {
              "module": "module.workers",
              "mode": "managed",
              "type": "terraform_data",
              "name": "queue",
              "each": "map",
              "provider": "provider[\\"terraform.io/builtin/terraform\\"]",
              "instances": [
                {
                  "index_key": "jobs",
                  "schema_version": 0,
                  "attributes": {
                    "id": "queue-jobs", "input": null, "output": null,
                    "triggers_replace": {"value": ["rev-2"], "type": ["tuple", ["string"]]}
                  },
                  "sensitive_attributes": []
                },
                {
                  "index_key": "sms",
                  "schema_version": 0,
                  "attributes": {"id": "queue-sms", "input": null, "output": null, "triggers_replace": null},
                  "sensitive_attributes": []
                }
              ]
            }
          ],
          "check_results": null
        }

        """

    /// An OpenTofu client-side encrypted state.
    static let encrypted =
        #"{"serial":7,"lineage":"L","meta":{"key_provider.pbkdf2.k":"e30="},"encrypted_data":"AAAA","encryption_version":"v0"}"#

    /// A minimal state whose only resource instance has `attributes` and `sensitive_attributes`
    /// as given (JSON text).
    static func single(attributes: String, sensitive: String = "[]", serial: Int = 1) -> [UInt8] {
        Array(
            """
            {"version":4,"serial":\(serial),"lineage":"L","outputs":{},"resources":[{"mode":"managed",\
            "type":"terraform_data","name":"x","provider":"p","instances":[{"schema_version":0,\
            "attributes":\(attributes),"sensitive_attributes":\(sensitive)}]}]}
            """.utf8)
    }
}
