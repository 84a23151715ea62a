/// The management API's OpenAPI 3.1 document, served at `/api/v1/openapi.json` without
/// authentication. It describes every `/api/v1` route, `/healthz`, `/readyz` and `/metrics`;
/// the Terraform protocol routes (`/state`, `/lock`, `/unlock`) are left out because OpenAPI
/// cannot express their LOCK and UNLOCK methods.
enum OpenAPIDocument {
    /// The document as JSON text.
    static let json: String = #"""
            {
              "openapi": "3.1.0",
              "info": {
                "title": "Statehouse management API",
                "version": "1",
                "description": "The JSON management API of Statehouse, a Terraform and OpenTofu remote-state server: list and inspect states, locks, versions and the audit log; force-unlock, purge versions, roll back, diff and restore states.\n\nAuthentication is the same as for the protocol routes: HTTP Basic or a verified TLS client certificate. Permissions come from the user's grants on state-name prefixes (read < write < admin).\n\nEvery error body is `{\"error\": \"<sentence>\"}`. A method a path does not support is answered 405 with an `Allow` header (`MethodNotAllowed` under `components/responses`), and a path under `/api/v1` that names nothing is 404. GET routes also answer HEAD.\n\nThe state name `{name}` may span several path segments (`team/app/prod`): its `/` may be sent literally or percent-encoded as `%2F`. OpenAPI path parameters cannot match `/`, so generated clients should send the name with its slashes encoded as `%2F` (what the CLI does); this also reaches states whose last segment is a sub-resource word (`lock`, `versions`, `rollback`, `diff`, `restore`). See the `x-statehouse-slashes` extension on the `name` parameter.\n\nTimestamps are RFC 3339 UTC strings with microseconds (`2026-11-22T10:11:12.123456Z`).\n\nNot described here: the Terraform/OpenTofu `backend \"http\"` protocol routes `/state/{name}`, `/lock/{name}` and `/unlock/{name}`. They use the custom methods LOCK and UNLOCK, which OpenAPI cannot express; see the README."
              },
              "servers": [
                {
                  "url": "/"
                }
              ],
              "security": [
                {
                  "basic": []
                },
                {
                  "mutualTLS": []
                }
              ],
              "paths": {
                "/healthz": {
                  "get": {
                    "operationId": "health",
                    "summary": "Liveness check",
                    "security": [],
                    "responses": {
                      "200": {
                        "description": "The server is up.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Health"
                            }
                          }
                        }
                      }
                    }
                  }
                },
                "/readyz": {
                  "get": {
                    "operationId": "ready",
                    "summary": "Readiness check: the store answers",
                    "security": [],
                    "responses": {
                      "200": {
                        "description": "The store answered a trivial query.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Ready"
                            }
                          }
                        }
                      },
                      "503": {
                        "description": "The store cannot be reached now; it says why. Comes with Retry-After.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Error"
                            }
                          }
                        }
                      }
                    }
                  }
                },
                "/metrics": {
                  "get": {
                    "operationId": "metrics",
                    "summary": "Prometheus metrics (text format 0.0.4)",
                    "description": "Served unless [metrics] enabled = false; needs a login only with [metrics] require_auth = true.",
                    "security": [
                      {},
                      {
                        "basic": []
                      }
                    ],
                    "responses": {
                      "200": {
                        "description": "Every metric, in the Prometheus text exposition format.",
                        "content": {
                          "text/plain": {
                            "schema": {
                              "type": "string"
                            }
                          }
                        }
                      },
                      "401": {
                        "description": "require_auth is on and no valid credentials were sent.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Error"
                            }
                          }
                        }
                      }
                    }
                  }
                },
                "/api/v1/openapi.json": {
                  "get": {
                    "operationId": "getOpenAPIDocument",
                    "summary": "This OpenAPI 3.1 document",
                    "security": [],
                    "responses": {
                      "200": {
                        "description": "The document.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "type": "object"
                            }
                          }
                        }
                      }
                    }
                  }
                },
                "/api/v1/states": {
                  "get": {
                    "operationId": "listStates",
                    "summary": "List states",
                    "description": "Only states the caller may read, one page at a time.",
                    "parameters": [
                      {
                        "name": "prefix",
                        "in": "query",
                        "description": "Only names starting with this plain string.",
                        "schema": {
                          "type": "string"
                        }
                      },
                      {
                        "$ref": "#/components/parameters/Limit"
                      },
                      {
                        "name": "cursor",
                        "in": "query",
                        "description": "Opaque; the `next_cursor` of the previous page.",
                        "schema": {
                          "type": "string"
                        }
                      },
                      {
                        "name": "deleted",
                        "in": "query",
                        "description": "true lists soft-deleted states instead of live ones.",
                        "schema": {
                          "type": "boolean",
                          "default": false
                        }
                      }
                    ],
                    "responses": {
                      "200": {
                        "description": "A page of states.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/StateList"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                },
                "/api/v1/states/{name}": {
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/StateName"
                    }
                  ],
                  "get": {
                    "operationId": "getState",
                    "summary": "Show a live state",
                    "description": "Needs read access.",
                    "responses": {
                      "200": {
                        "description": "The state.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/StateDetail"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "403": {
                        "$ref": "#/components/responses/Forbidden"
                      },
                      "404": {
                        "$ref": "#/components/responses/NotFound"
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                },
                "/api/v1/states/{name}/lock": {
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/StateName"
                    }
                  ],
                  "delete": {
                    "operationId": "forceUnlock",
                    "summary": "Force-unlock a state",
                    "description": "Needs admin.",
                    "requestBody": {
                      "required": false,
                      "description": "Optional.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/ForceUnlockRequest"
                          }
                        }
                      }
                    },
                    "responses": {
                      "200": {
                        "description": "Released, or nothing was locked.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/ForceUnlockResult"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "403": {
                        "$ref": "#/components/responses/Forbidden"
                      },
                      "404": {
                        "$ref": "#/components/responses/NotFound"
                      },
                      "409": {
                        "description": "`id` was given and a different lock is held.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/LockConflict"
                            }
                          }
                        }
                      },
                      "415": {
                        "description": "A body was sent with a Content-Type other than application/json.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Error"
                            }
                          }
                        }
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                },
                "/api/v1/states/{name}/versions": {
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/StateName"
                    }
                  ],
                  "get": {
                    "operationId": "listVersions",
                    "summary": "List a state's versions",
                    "description": "Newest first. Needs read access.",
                    "parameters": [
                      {
                        "$ref": "#/components/parameters/Limit"
                      },
                      {
                        "name": "before",
                        "in": "query",
                        "description": "Only version numbers below this one.",
                        "schema": {
                          "type": "integer",
                          "minimum": 0
                        }
                      }
                    ],
                    "responses": {
                      "200": {
                        "description": "A page of versions.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/VersionList"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "403": {
                        "$ref": "#/components/responses/Forbidden"
                      },
                      "404": {
                        "$ref": "#/components/responses/NotFound"
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                },
                "/api/v1/states/{name}/versions/{number}": {
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/StateName"
                    },
                    {
                      "$ref": "#/components/parameters/VersionNumber"
                    }
                  ],
                  "get": {
                    "operationId": "getVersionContent",
                    "summary": "Download a version",
                    "description": "The exact bytes of the version, gzip-encoded when the client accepts gzip. Needs read access.",
                    "responses": {
                      "200": {
                        "description": "The state as it was written.",
                        "headers": {
                          "Content-Encoding": {
                            "description": "`gzip` when the client accepts gzip.",
                            "schema": {
                              "type": "string",
                              "const": "gzip"
                            }
                          },
                          "Content-MD5": {
                            "description": "Base64 MD5 of the uncompressed bytes.",
                            "schema": {
                              "type": "string"
                            }
                          },
                          "X-Statehouse-Version": {
                            "description": "The version number.",
                            "schema": {
                              "type": "integer"
                            }
                          },
                          "X-Statehouse-Serial": {
                            "description": "The state's serial.",
                            "schema": {
                              "type": "integer"
                            }
                          }
                        },
                        "content": {
                          "application/json": {
                            "schema": {
                              "type": "object",
                              "description": "Terraform or OpenTofu state JSON."
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "403": {
                        "$ref": "#/components/responses/Forbidden"
                      },
                      "404": {
                        "$ref": "#/components/responses/NotFound"
                      },
                      "410": {
                        "$ref": "#/components/responses/Gone"
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  },
                  "delete": {
                    "operationId": "purgeVersion",
                    "summary": "Purge a version's content",
                    "description": "Needs admin. Purging a version already purged returns it unchanged.",
                    "requestBody": {
                      "required": false,
                      "description": "Optional.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/PurgeRequest"
                          }
                        }
                      }
                    },
                    "responses": {
                      "200": {
                        "description": "The version, with its `purged_*` fields set.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Version"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "403": {
                        "$ref": "#/components/responses/Forbidden"
                      },
                      "404": {
                        "$ref": "#/components/responses/NotFound"
                      },
                      "409": {
                        "description": "The version is the current one.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Error"
                            }
                          }
                        }
                      },
                      "415": {
                        "description": "A body was sent with a Content-Type other than application/json.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Error"
                            }
                          }
                        }
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                },
                "/api/v1/states/{name}/rollback": {
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/StateName"
                    }
                  ],
                  "post": {
                    "operationId": "rollback",
                    "summary": "Roll back to an earlier version",
                    "description": "Writes a new version with version `version`'s content, serial = current serial + 1 and `rollback_of` = `version`. Needs write access.",
                    "requestBody": {
                      "required": true,
                      "description": "The version to roll back to.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/RollbackRequest"
                          }
                        }
                      }
                    },
                    "responses": {
                      "200": {
                        "description": "Rolled back.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/RollbackResult"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "403": {
                        "$ref": "#/components/responses/Forbidden"
                      },
                      "404": {
                        "$ref": "#/components/responses/NotFound"
                      },
                      "409": {
                        "description": "The state is locked.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/LockConflict"
                            }
                          }
                        }
                      },
                      "410": {
                        "$ref": "#/components/responses/Gone"
                      },
                      "415": {
                        "description": "A body was sent with a Content-Type other than application/json.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Error"
                            }
                          }
                        }
                      },
                      "422": {
                        "$ref": "#/components/responses/Unprocessable"
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                },
                "/api/v1/states/{name}/diff": {
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/StateName"
                    }
                  ],
                  "get": {
                    "operationId": "diff",
                    "summary": "Compare two versions",
                    "description": "Needs read access.",
                    "parameters": [
                      {
                        "name": "from",
                        "in": "query",
                        "description": "Default: the version before `to`.",
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      },
                      {
                        "name": "to",
                        "in": "query",
                        "description": "Default: the current version.",
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    ],
                    "responses": {
                      "200": {
                        "description": "The differences.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Diff"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "403": {
                        "$ref": "#/components/responses/Forbidden"
                      },
                      "404": {
                        "$ref": "#/components/responses/NotFound"
                      },
                      "410": {
                        "$ref": "#/components/responses/Gone"
                      },
                      "422": {
                        "$ref": "#/components/responses/Unprocessable"
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                },
                "/api/v1/states/{name}/restore": {
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/StateName"
                    }
                  ],
                  "post": {
                    "operationId": "restore",
                    "summary": "Restore a deleted state",
                    "description": "Needs admin.",
                    "requestBody": {
                      "required": false,
                      "description": "Optional.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/RestoreRequest"
                          }
                        }
                      }
                    },
                    "responses": {
                      "200": {
                        "description": "The restored state.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/StateDetail"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "403": {
                        "$ref": "#/components/responses/Forbidden"
                      },
                      "404": {
                        "$ref": "#/components/responses/NotFound"
                      },
                      "409": {
                        "description": "A live state has this name.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Error"
                            }
                          }
                        }
                      },
                      "415": {
                        "description": "A body was sent with a Content-Type other than application/json.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/Error"
                            }
                          }
                        }
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                },
                "/api/v1/locks": {
                  "get": {
                    "operationId": "listLocks",
                    "summary": "List held locks",
                    "description": "Oldest first, only states the caller may read.",
                    "parameters": [
                      {
                        "name": "older_than",
                        "in": "query",
                        "description": "Only locks older than this: `90s`, `15m`, `2h`, `7d` or plain seconds.",
                        "schema": {
                          "type": "string",
                          "pattern": "^[0-9]+[smhd]?$"
                        }
                      }
                    ],
                    "responses": {
                      "200": {
                        "description": "The locks.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/LockList"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                },
                "/api/v1/audit": {
                  "get": {
                    "operationId": "listAuditEvents",
                    "summary": "Read the audit log",
                    "description": "Oldest first. Without `state`, only events on states the caller may read.",
                    "parameters": [
                      {
                        "name": "state",
                        "in": "query",
                        "description": "Only events on this exact state name (needs read access to it).",
                        "schema": {
                          "$ref": "#/components/schemas/StateName"
                        }
                      },
                      {
                        "name": "since",
                        "in": "query",
                        "description": "Only events at or after this RFC 3339 time.",
                        "schema": {
                          "type": "string",
                          "format": "date-time"
                        }
                      },
                      {
                        "$ref": "#/components/parameters/Limit"
                      },
                      {
                        "name": "after",
                        "in": "query",
                        "description": "Only events with a higher id (the `next_after` of the previous page).",
                        "schema": {
                          "type": "integer",
                          "minimum": 0
                        }
                      }
                    ],
                    "responses": {
                      "200": {
                        "description": "A page of events.",
                        "content": {
                          "application/json": {
                            "schema": {
                              "$ref": "#/components/schemas/AuditPage"
                            }
                          }
                        }
                      },
                      "400": {
                        "$ref": "#/components/responses/BadRequest"
                      },
                      "401": {
                        "$ref": "#/components/responses/Unauthorized"
                      },
                      "403": {
                        "$ref": "#/components/responses/Forbidden"
                      },
                      "500": {
                        "$ref": "#/components/responses/InternalError"
                      },
                      "503": {
                        "$ref": "#/components/responses/Unavailable"
                      }
                    }
                  }
                }
              },
              "components": {
                "securitySchemes": {
                  "basic": {
                    "type": "http",
                    "scheme": "basic"
                  },
                  "mutualTLS": {
                    "type": "mutualTLS",
                    "description": "A verified TLS client certificate whose common name is configured for a user."
                  }
                },
                "parameters": {
                  "StateName": {
                    "name": "name",
                    "in": "path",
                    "required": true,
                    "description": "The state name (`team/app/prod`). Its `/` may be sent literally or as `%2F`; send `%2F` to reach a state whose last segment is `lock`, `versions`, `rollback`, `diff` or `restore` (the CLI always does).",
                    "schema": {
                      "$ref": "#/components/schemas/StateName"
                    },
                    "x-statehouse-slashes": "The value may contain `/`, sent literally or percent-encoded as `%2F`."
                  },
                  "VersionNumber": {
                    "name": "number",
                    "in": "path",
                    "required": true,
                    "description": "A version number.",
                    "schema": {
                      "type": "integer",
                      "minimum": 1
                    }
                  },
                  "Limit": {
                    "name": "limit",
                    "in": "query",
                    "description": "Page size.",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "default": 100
                    }
                  }
                },
                "responses": {
                  "BadRequest": {
                    "description": "A bad parameter or body.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "Unauthorized": {
                    "description": "No or wrong credentials.",
                    "headers": {
                      "WWW-Authenticate": {
                        "description": "`Basic realm=\"statehouse\", charset=\"UTF-8\"`",
                        "schema": {
                          "type": "string"
                        }
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "Forbidden": {
                    "description": "The user lacks access to the state.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "NotFound": {
                    "description": "No such state or version.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "MethodNotAllowed": {
                    "description": "The path does not answer this method.",
                    "headers": {
                      "Allow": {
                        "description": "The methods the path answers.",
                        "schema": {
                          "type": "string",
                          "examples": [
                            "GET, HEAD"
                          ]
                        }
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "Gone": {
                    "description": "The version's content was purged.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "Unprocessable": {
                    "description": "An OpenTofu-encrypted state cannot be diffed or rolled back.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "InternalError": {
                    "description": "A fault; the body names the request id.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "Unavailable": {
                    "description": "The store is unavailable; retry.",
                    "headers": {
                      "Retry-After": {
                        "description": "Seconds to wait.",
                        "schema": {
                          "type": "integer",
                          "const": 2
                        }
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "schemas": {
                  "StateName": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255,
                    "pattern": "^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$",
                    "description": "One or more `/`-separated segments of `[A-Za-z0-9._-]`, at most 255 bytes.",
                    "examples": [
                      "team/app/prod"
                    ]
                  },
                  "Lock": {
                    "type": "object",
                    "description": "A held lock: the LockInfo its holder sent, and who took it when. The client's fields are \"\" when the client did not send them.",
                    "required": [
                      "id",
                      "operation",
                      "who",
                      "info",
                      "version",
                      "created",
                      "path",
                      "acquired_at",
                      "acquired_by",
                      "age_seconds"
                    ],
                    "properties": {
                      "id": {
                        "type": "string",
                        "description": "The lock ID the client chose."
                      },
                      "operation": {
                        "type": "string",
                        "examples": [
                          "OperationTypeApply"
                        ]
                      },
                      "who": {
                        "type": "string",
                        "examples": [
                          "me@host"
                        ]
                      },
                      "info": {
                        "type": "string"
                      },
                      "version": {
                        "type": "string",
                        "description": "The client's Terraform version.",
                        "examples": [
                          "1.15.5"
                        ]
                      },
                      "created": {
                        "type": "string",
                        "description": "The creation time as the client sent it (not reformatted)."
                      },
                      "path": {
                        "type": "string"
                      },
                      "acquired_at": {
                        "type": "string",
                        "format": "date-time",
                        "examples": [
                          "2026-11-22T10:11:12.123456Z"
                        ]
                      },
                      "acquired_by": {
                        "type": "string",
                        "description": "The user that took the lock."
                      },
                      "age_seconds": {
                        "type": "integer",
                        "minimum": 0
                      }
                    }
                  },
                  "StateSummary": {
                    "type": "object",
                    "description": "A state in a listing.",
                    "required": [
                      "name",
                      "id",
                      "created_at",
                      "version",
                      "serial",
                      "lineage",
                      "size",
                      "terraform_version",
                      "resource_count",
                      "encrypted",
                      "updated_at",
                      "updated_by",
                      "lock",
                      "deleted_at",
                      "deleted_by"
                    ],
                    "properties": {
                      "name": {
                        "$ref": "#/components/schemas/StateName"
                      },
                      "id": {
                        "type": "integer",
                        "description": "The state's id; tells apart deleted states of the same name."
                      },
                      "created_at": {
                        "type": "string",
                        "format": "date-time",
                        "examples": [
                          "2026-11-22T10:11:12.123456Z"
                        ]
                      },
                      "version": {
                        "type": [
                          "integer",
                          "null"
                        ],
                        "minimum": 1,
                        "description": "The current version's number; null while the state has no version."
                      },
                      "serial": {
                        "type": [
                          "integer",
                          "null"
                        ],
                        "description": "null while the state has no version."
                      },
                      "lineage": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "description": "null while the state has no version."
                      },
                      "size": {
                        "type": [
                          "integer",
                          "null"
                        ],
                        "minimum": 0,
                        "description": "Bytes of the current version; null while the state has no version."
                      },
                      "terraform_version": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "description": "null while the state has no version, and for encrypted states."
                      },
                      "resource_count": {
                        "type": [
                          "integer",
                          "null"
                        ],
                        "minimum": 0,
                        "description": "null while the state has no version, and for encrypted states."
                      },
                      "encrypted": {
                        "type": "boolean",
                        "description": "Whether the current version is OpenTofu-encrypted."
                      },
                      "updated_at": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "format": "date-time",
                        "description": "When the current version was written; null while the state has no version."
                      },
                      "updated_by": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "description": "Who wrote the current version; null while the state has no version."
                      },
                      "lock": {
                        "oneOf": [
                          {
                            "$ref": "#/components/schemas/Lock"
                          },
                          {
                            "type": "null"
                          }
                        ]
                      },
                      "deleted_at": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "format": "date-time",
                        "description": "null for a live state."
                      },
                      "deleted_by": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "description": "null for a live state."
                      }
                    }
                  },
                  "StateDetail": {
                    "description": "A state with its output names and the number of versions kept.",
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/StateSummary"
                      },
                      {
                        "type": "object",
                        "required": [
                          "outputs",
                          "version_count"
                        ],
                        "properties": {
                          "outputs": {
                            "type": "array",
                            "items": {
                              "type": "string"
                            },
                            "description": "Output names only, never values; [] when encrypted."
                          },
                          "version_count": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "Versions kept, purged ones included."
                          }
                        }
                      }
                    ]
                  },
                  "Version": {
                    "type": "object",
                    "description": "One stored version of a state.",
                    "required": [
                      "number",
                      "serial",
                      "lineage",
                      "size",
                      "sha256",
                      "md5",
                      "created_at",
                      "created_by",
                      "lock_id",
                      "terraform_version",
                      "resource_count",
                      "encrypted",
                      "rollback_of",
                      "current",
                      "purged_at",
                      "purged_by",
                      "purge_reason"
                    ],
                    "properties": {
                      "number": {
                        "type": "integer",
                        "minimum": 1
                      },
                      "serial": {
                        "type": "integer"
                      },
                      "lineage": {
                        "type": "string"
                      },
                      "size": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Bytes of the uncompressed state."
                      },
                      "sha256": {
                        "type": "string",
                        "pattern": "^[0-9a-f]{64}$",
                        "description": "Lowercase hex."
                      },
                      "md5": {
                        "type": "string",
                        "pattern": "^[0-9a-f]{32}$",
                        "description": "Lowercase hex."
                      },
                      "created_at": {
                        "type": "string",
                        "format": "date-time",
                        "examples": [
                          "2026-11-22T10:11:12.123456Z"
                        ]
                      },
                      "created_by": {
                        "type": "string"
                      },
                      "lock_id": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "description": "The lock the write was made under."
                      },
                      "terraform_version": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "description": "null for encrypted states."
                      },
                      "resource_count": {
                        "type": [
                          "integer",
                          "null"
                        ],
                        "minimum": 0,
                        "description": "null for encrypted states."
                      },
                      "encrypted": {
                        "type": "boolean"
                      },
                      "rollback_of": {
                        "type": [
                          "integer",
                          "null"
                        ],
                        "minimum": 1,
                        "description": "The version this one restored the content of, when written by a rollback."
                      },
                      "current": {
                        "type": "boolean"
                      },
                      "purged_at": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "format": "date-time",
                        "description": "Set when the content was purged."
                      },
                      "purged_by": {
                        "type": [
                          "string",
                          "null"
                        ]
                      },
                      "purge_reason": {
                        "type": [
                          "string",
                          "null"
                        ]
                      }
                    }
                  },
                  "AuditEvent": {
                    "type": "object",
                    "description": "One entry of the audit log.",
                    "required": [
                      "id",
                      "at",
                      "action",
                      "state",
                      "version",
                      "user",
                      "address",
                      "request_id",
                      "lock_id",
                      "reason",
                      "detail"
                    ],
                    "properties": {
                      "id": {
                        "type": "integer",
                        "minimum": 1
                      },
                      "at": {
                        "type": "string",
                        "format": "date-time",
                        "examples": [
                          "2026-11-22T10:11:12.123456Z"
                        ]
                      },
                      "action": {
                        "type": "string",
                        "enum": [
                          "write",
                          "lock",
                          "unlock",
                          "force-unlock",
                          "delete",
                          "restore",
                          "rollback",
                          "purge-version",
                          "prune-versions",
                          "expire-state"
                        ]
                      },
                      "state": {
                        "$ref": "#/components/schemas/StateName"
                      },
                      "version": {
                        "type": [
                          "integer",
                          "null"
                        ],
                        "minimum": 1
                      },
                      "user": {
                        "type": "string"
                      },
                      "address": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "description": "The client's address."
                      },
                      "request_id": {
                        "type": [
                          "string",
                          "null"
                        ]
                      },
                      "lock_id": {
                        "type": [
                          "string",
                          "null"
                        ]
                      },
                      "reason": {
                        "type": [
                          "string",
                          "null"
                        ]
                      },
                      "detail": {
                        "type": [
                          "string",
                          "null"
                        ]
                      }
                    }
                  },
                  "Diff": {
                    "type": "object",
                    "description": "What changed between two versions of a state.",
                    "required": [
                      "from",
                      "to",
                      "resources",
                      "outputs"
                    ],
                    "properties": {
                      "from": {
                        "type": "integer",
                        "minimum": 1
                      },
                      "to": {
                        "type": "integer",
                        "minimum": 1
                      },
                      "resources": {
                        "type": "object",
                        "required": [
                          "added",
                          "removed",
                          "changed"
                        ],
                        "properties": {
                          "added": {
                            "type": "array",
                            "items": {
                              "type": "string"
                            },
                            "description": "Resource instance addresses."
                          },
                          "removed": {
                            "type": "array",
                            "items": {
                              "type": "string"
                            }
                          },
                          "changed": {
                            "type": "array",
                            "items": {
                              "type": "object",
                              "required": [
                                "address",
                                "attributes"
                              ],
                              "properties": {
                                "address": {
                                  "type": "string",
                                  "examples": [
                                    "terraform_data.x"
                                  ]
                                },
                                "attributes": {
                                  "type": "array",
                                  "items": {
                                    "type": "object",
                                    "required": [
                                      "path",
                                      "before",
                                      "after"
                                    ],
                                    "properties": {
                                      "path": {
                                        "type": "string"
                                      },
                                      "before": {
                                        "description": "Any JSON value, null when absent on that side, or the string \"(sensitive)\"."
                                      },
                                      "after": {
                                        "description": "Any JSON value, null when absent on that side, or the string \"(sensitive)\"."
                                      }
                                    }
                                  }
                                }
                              }
                            }
                          }
                        }
                      },
                      "outputs": {
                        "type": "object",
                        "required": [
                          "added",
                          "removed",
                          "changed"
                        ],
                        "properties": {
                          "added": {
                            "type": "array",
                            "items": {
                              "type": "string"
                            }
                          },
                          "removed": {
                            "type": "array",
                            "items": {
                              "type": "string"
                            }
                          },
                          "changed": {
                            "type": "array",
                            "items": {
                              "type": "object",
                              "required": [
                                "name",
                                "before",
                                "after"
                              ],
                              "properties": {
                                "name": {
                                  "type": "string"
                                },
                                "before": {
                                  "description": "Any JSON value, null when absent on that side, or the string \"(sensitive)\"."
                                },
                                "after": {
                                  "description": "Any JSON value, null when absent on that side, or the string \"(sensitive)\"."
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "Error": {
                    "type": "object",
                    "required": [
                      "error"
                    ],
                    "properties": {
                      "error": {
                        "type": "string",
                        "description": "One sentence."
                      }
                    }
                  },
                  "LockConflict": {
                    "type": "object",
                    "description": "409 because another lock is held: the error and the lock.",
                    "required": [
                      "error",
                      "lock"
                    ],
                    "properties": {
                      "error": {
                        "type": "string"
                      },
                      "lock": {
                        "$ref": "#/components/schemas/Lock"
                      }
                    }
                  },
                  "StateList": {
                    "type": "object",
                    "required": [
                      "states",
                      "next_cursor"
                    ],
                    "properties": {
                      "states": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/StateSummary"
                        }
                      },
                      "next_cursor": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "description": "Pass as `cursor` for the next page; null on the last page."
                      }
                    }
                  },
                  "LockList": {
                    "type": "object",
                    "required": [
                      "locks"
                    ],
                    "properties": {
                      "locks": {
                        "type": "array",
                        "description": "Oldest first.",
                        "items": {
                          "type": "object",
                          "required": [
                            "state",
                            "lock"
                          ],
                          "properties": {
                            "state": {
                              "$ref": "#/components/schemas/StateName"
                            },
                            "lock": {
                              "$ref": "#/components/schemas/Lock"
                            }
                          }
                        }
                      }
                    }
                  },
                  "VersionList": {
                    "type": "object",
                    "required": [
                      "versions",
                      "next_before"
                    ],
                    "properties": {
                      "versions": {
                        "type": "array",
                        "description": "Newest first.",
                        "items": {
                          "$ref": "#/components/schemas/Version"
                        }
                      },
                      "next_before": {
                        "type": [
                          "integer",
                          "null"
                        ],
                        "description": "Pass as `before` for the next page; null on the last page."
                      }
                    }
                  },
                  "AuditPage": {
                    "type": "object",
                    "required": [
                      "events",
                      "next_after"
                    ],
                    "properties": {
                      "events": {
                        "type": "array",
                        "description": "Oldest first.",
                        "items": {
                          "$ref": "#/components/schemas/AuditEvent"
                        }
                      },
                      "next_after": {
                        "type": [
                          "integer",
                          "null"
                        ],
                        "description": "Pass as `after` for the next page; null on the last page."
                      }
                    }
                  },
                  "ForceUnlockResult": {
                    "oneOf": [
                      {
                        "type": "object",
                        "required": [
                          "status",
                          "lock"
                        ],
                        "properties": {
                          "status": {
                            "const": "force-unlocked"
                          },
                          "lock": {
                            "$ref": "#/components/schemas/Lock"
                          }
                        }
                      },
                      {
                        "type": "object",
                        "required": [
                          "status"
                        ],
                        "properties": {
                          "status": {
                            "const": "not locked"
                          }
                        }
                      }
                    ]
                  },
                  "RollbackResult": {
                    "type": "object",
                    "required": [
                      "status",
                      "version"
                    ],
                    "properties": {
                      "status": {
                        "const": "rolled back"
                      },
                      "version": {
                        "$ref": "#/components/schemas/Version"
                      }
                    }
                  },
                  "ForceUnlockRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                      "id": {
                        "type": "string",
                        "maxLength": 1000,
                        "description": "The lock ID expected to be held; another lock held is 409."
                      },
                      "reason": {
                        "type": "string",
                        "maxLength": 1000,
                        "description": "Recorded in the audit log (at most 1000 bytes)."
                      }
                    }
                  },
                  "PurgeRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                      "reason": {
                        "type": "string",
                        "maxLength": 1000,
                        "description": "Recorded in the audit log (at most 1000 bytes)."
                      }
                    }
                  },
                  "RollbackRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": [
                      "version"
                    ],
                    "properties": {
                      "version": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "The version whose content to write again."
                      },
                      "reason": {
                        "type": "string",
                        "maxLength": 1000,
                        "description": "Recorded in the audit log (at most 1000 bytes)."
                      }
                    }
                  },
                  "RestoreRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                      "id": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "The state id from the deleted listing; default: the most recently deleted."
                      }
                    }
                  },
                  "Health": {
                    "type": "object",
                    "required": [
                      "status"
                    ],
                    "properties": {
                      "status": {
                        "const": "ok"
                      }
                    }
                  },
                  "Ready": {
                    "type": "object",
                    "required": [
                      "status"
                    ],
                    "properties": {
                      "status": {
                        "const": "ready"
                      }
                    }
                  }
                }
              }
            }
        """#
}
