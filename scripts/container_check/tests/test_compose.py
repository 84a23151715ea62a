import copy
import os
import tempfile
import unittest

from container_check import compose
from container_check.common import Fatal


class DotenvTests(unittest.TestCase):
    def test_forms(self):
        text = "\n".join([
            "# comment",
            "",
            "PLAIN=value",
            "export EXPORTED = spaced  ",
            "COMMENTED=value # a comment",
            "HASH=a#b",
            "SINGLE='$pbkdf2$x # not a comment'",
            'DOUBLE="say \\"hi\\""  # after',
            "EMPTY=",
            "dotted.name-1=x",
        ])
        self.assertEqual(compose.dotenv(text), {
            "PLAIN": ("value", ""),
            "EXPORTED": ("spaced", ""),
            "COMMENTED": ("value", ""),
            "HASH": ("a#b", ""),
            "SINGLE": ("$pbkdf2$x # not a comment", "'"),
            "DOUBLE": ('say "hi"', '"'),
            "EMPTY": ("", ""),
            "dotted.name-1": ("x", ""),
        })

    def test_errors_name_the_line(self):
        for text, message in (("A=1\nnot a pair", "x line 2: not KEY=VALUE"),
                              ("1A=x", "x line 1: not KEY=VALUE"),
                              ("A='open", "x line 1: unterminated '-quoted value"),
                              ('A="x" y', "x line 1: text after the closing quote")):
            with self.subTest(text=text):
                with self.assertRaises(Fatal) as caught:
                    compose.dotenv(text, "x")
                self.assertEqual(caught.exception.message, message)


class InterpolationTests(unittest.TestCase):
    def test_interpolated(self):
        self.assertEqual(compose.interpolated("${A:?msg} $B ${C-default} $$D $${E} plain"), {"A", "B", "C"})

    def test_strings_walks_keys_and_values(self):
        self.assertEqual(sorted(compose.strings({"a": ["b", {"c": "d"}, 1, None]})), ["a", "b", "c", "d"])

    def test_environment_forms(self):
        self.assertEqual(compose.environment({"environment": ["A=1", "B=x=y", "C"]}), {"A": "1", "B": "x=y", "C": ""})
        self.assertEqual(compose.environment({"environment": {"A": 1, "B": None}}), {"A": "1", "B": ""})
        self.assertEqual(compose.environment({}), {})

    def test_undefined_variables(self):
        document = {"services": {"s": {"image": "x:${TAG}", "environment": {"A": "${DEFINED:?x}", "B": "$$LITERAL"}}}}
        defined = {"DEFINED": ("1", "")}
        self.assertEqual(compose.undefined_variable_problems(document, defined),
                         ["docker-compose.yml uses ${TAG}, which .env.example does not define"])
        self.assertEqual(compose.undefined_variable_problems(document, dict(defined, TAG=("1", ""))), [])


class CredentialTests(unittest.TestCase):
    def problems(self, environment, text="", defined=None):
        return compose.credential_problems({"services": {"s": {"environment": environment}}}, text, defined or {})

    def test_secrets_from_variables_pass(self):
        self.assertEqual(self.problems({
            "POSTGRES_PASSWORD": "${POSTGRES_PASSWORD:?set it}",
            "STATEHOUSE_USERS": "${STATEHOUSE_USERS}",
            "API_TOKEN": "${TOKEN:-}",
            "URL": "host=db password=${POSTGRES_PASSWORD}",
            "DSN": "postgres://user:${PW}@db/x",
        }), [])

    def test_literal_secret_values(self):
        self.assertEqual(self.problems({"POSTGRES_PASSWORD": "hunter2", "MY_SECRET": "x ${A}",
                                        "STATEHOUSE_ENCRYPTION_KEYS": "k:AAAA"}), [
            "docker-compose.yml: s.POSTGRES_PASSWORD must come from .env (${VAR}), not be written here",
            "docker-compose.yml: s.MY_SECRET must come from .env (${VAR}), not be written here",
            "docker-compose.yml: s.STATEHOUSE_ENCRYPTION_KEYS must come from .env (${VAR}), not be written here",
        ])

    def test_literal_password_in_connection_strings(self):
        self.assertEqual(self.problems({"URL": "host=db password=hunter2 user=x"}),
                         ["docker-compose.yml: s.URL has a literal password"])
        self.assertEqual(self.problems({"DSN": "postgres://user:hunter2@db/x"}),
                         ["docker-compose.yml: s.DSN has a literal password in its URL"])

    def test_hash_and_env_example_values_in_text(self):
        self.assertEqual(self.problems({}, text="x: $pbkdf2-sha256$i=1$a$b"),
                         ["docker-compose.yml contains a password hash; it belongs in .env"])
        defined = {"TF_HTTP_PASSWORD": ("change-me-please", ""), "SHORT_PASSWORD": ("abc", ""),
                   "OTHER": ("change-me-please", "")}
        self.assertEqual(self.problems({}, text="x: change-me-please abc", defined=defined),
                         ["docker-compose.yml contains the value of TF_HTTP_PASSWORD from .env.example"])


class StatehouseVariableTests(unittest.TestCase):
    CONFIG = '[server]\nhost = "127.0.0.1"\nport = 8080\n[storage]\ndriver = "sqlite"\n[[users]]\nname = "admin"\n'

    def test_config_variables(self):
        known, config = compose.config_variables(self.CONFIG)
        self.assertEqual(known, {"STATEHOUSE_CONFIG", "STATEHOUSE_USERS", "STATEHOUSE_ENCRYPTION_KEYS",
                                 "STATEHOUSE_ENCRYPTION_KEY_FILE", "STATEHOUSE_SERVER_HOST",
                                 "STATEHOUSE_SERVER_PORT", "STATEHOUSE_STORAGE_DRIVER"})
        self.assertEqual(config["users"], [{"name": "admin"}])

    def test_unknown_settings(self):
        known, _ = compose.config_variables(self.CONFIG)
        env = {"STATEHOUSE_SERVER_HOST": "*", "STATEHOUSE_SERVER_HOTS": "*", "STATEHOUSE_API_URL": "x",
               "STATEHOUSE_USERS": "[]", "OTHER": "x"}
        self.assertEqual(compose.statehouse_variable_problems("here", env, known), [
            "here: STATEHOUSE_SERVER_HOTS is not a setting (the server refuses unknown STATEHOUSE_* variables); "
            "settings are STATEHOUSE_<SECTION>_<KEY> of config.toml"])


HASH = "$pbkdf2-sha256$i=600000$a$b"
SHIPPED = "$pbkdf2-sha256$i=600000$shipped$x"


class EnvExampleTests(unittest.TestCase):
    def defined(self, **changes):
        values = {
            "POSTGRES_PASSWORD": ("example-password", ""),
            "STATEHOUSE_USERS": (f'[{{ name = "admin", password_hash = "{HASH}", grants = {{ "*" = "admin" }} }}]', "'"),
            "TF_HTTP_USERNAME": ("admin", ""),
            "TF_HTTP_PASSWORD": ("secret", ""),
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}

    CONFIG = {"users": [{"name": "admin", "password_hash": SHIPPED}]}

    def test_valid(self):
        self.assertEqual(compose.env_example_problems(self.defined(), self.CONFIG), [])

    def test_missing_variable_stops(self):
        with self.assertRaises(Fatal) as caught:
            compose.env_example_problems(self.defined(TF_HTTP_PASSWORD=None), self.CONFIG)
        self.assertEqual(caught.exception.problems, [".env.example: TF_HTTP_PASSWORD is missing"])
        self.assertEqual(caught.exception.message, "1 problem(s) in .env.example")

    def test_dollar_outside_single_quotes(self):
        users = self.defined()["STATEHOUSE_USERS"][0]
        problems = compose.env_example_problems(self.defined(STATEHOUSE_USERS=(users, '"')), self.CONFIG)
        self.assertEqual(problems, [".env.example: STATEHOUSE_USERS has a $ outside single quotes; compose would interpolate it"])

    def test_postgres_password_characters(self):
        problems = compose.env_example_problems(self.defined(POSTGRES_PASSWORD=("a b", "")), self.CONFIG)
        self.assertEqual(len(problems), 1)
        self.assertIn("POSTGRES_PASSWORD must be letters, digits and -._~", problems[0])

    def test_users(self):
        with self.assertRaisesRegex(Fatal, "not a TOML inline array"):
            compose.env_example_problems(self.defined(STATEHOUSE_USERS=("[{ name = }]", "'")), self.CONFIG)
        with self.assertRaisesRegex(Fatal, "non-empty array of inline tables"):
            compose.env_example_problems(self.defined(STATEHOUSE_USERS=("[]", "'")), self.CONFIG)
        users = f'[{{ name = "ci", password_hash = "{SHIPPED}" }}, {{ name = "x", password_hash = "plain", grants = {{ a = "read" }} }}]'
        problems = compose.env_example_problems(self.defined(STATEHOUSE_USERS=(users, "'")), self.CONFIG)
        self.assertEqual(problems, [
            ".env.example: user ci reuses config.toml's default hash",
            ".env.example: user ci has no grants",
            ".env.example: user x needs a $pbkdf2-sha256$ password_hash",
            ".env.example: TF_HTTP_USERNAME is not one of STATEHOUSE_USERS",
        ])


COMPOSE = {
    "services": {
        "postgres": {
            "image": "postgres:15-bookworm",
            "environment": {"POSTGRES_USER": "statehouse", "POSTGRES_DB": "statehouse", "POSTGRES_PASSWORD": "${P}"},
            "volumes": ["pgdata:/var/lib/postgresql/data"],
            "healthcheck": {"test": ["CMD", "pg_isready"]},
        },
        "statehouse": {
            "build": ".",
            "depends_on": {"postgres": {"condition": "service_healthy"}},
            "environment": {"STATEHOUSE_STORAGE_DRIVER": "postgres", "STATEHOUSE_STORAGE_URL": "host=postgres",
                            "STATEHOUSE_USERS": "${U}"},
            "ports": ["127.0.0.1:8080:8080"],
            "healthcheck": {"test": ["CMD", "statehouse", "healthcheck"]},
        },
        "tofu": {
            "image": "ghcr.io/opentofu/opentofu:1.10", "profiles": ["tofu"], "network_mode": "service:statehouse",
            "volumes": ["tofu-a:/workspace", "./examples/http-backend/main.tf:/workspace/main.tf:ro"],
            "environment": {"TF_HTTP_USERNAME": "${N}", "TF_HTTP_PASSWORD": "${W}", "CHECKPOINT_DISABLE": "1"},
        },
        "tofu-remote-state": {
            "image": "ghcr.io/opentofu/opentofu:1.10.2", "profiles": ["tofu"], "network_mode": "service:statehouse",
            "volumes": [{"type": "volume", "source": "tofu-b", "target": "/workspace"},
                        "./examples/remote-state/main.tf:/workspace/main.tf:ro"],
            "environment": {"TF_HTTP_USERNAME": "${N}", "TF_HTTP_PASSWORD": "${W}", "CHECKPOINT_DISABLE": "1"},
        },
    },
    "volumes": {"pgdata": None, "tofu-a": None, "tofu-b": None},
}


class ServiceTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.TemporaryDirectory()
        for example in ("http-backend", "remote-state"):
            os.makedirs(os.path.join(self.root.name, "examples", example))
            open(os.path.join(self.root.name, "examples", example, "main.tf"), "w").close()
        self.compose = copy.deepcopy(COMPOSE)

    def tearDown(self):
        self.root.cleanup()

    def problems(self):
        return compose.service_problems(self.compose, ["8080"], self.root.name)

    def test_valid(self):
        self.assertEqual(self.problems(), [])

    def test_missing_service_stops(self):
        del self.compose["services"]["tofu"]
        with self.assertRaises(Fatal) as caught:
            self.problems()
        self.assertEqual(caught.exception.problems, ["docker-compose.yml: no service tofu"])

    def test_statehouse(self):
        statehouse = self.compose["services"]["statehouse"]
        statehouse["depends_on"] = ["postgres"]
        statehouse["ports"] = ["9090:9090"]
        del statehouse["healthcheck"]
        self.assertEqual(self.problems(), [
            "docker-compose.yml: statehouse has no healthcheck",
            "docker-compose.yml: statehouse must depend on postgres with condition: service_healthy",
            "docker-compose.yml: statehouse publishes ['9090:9090']; the image exposes ['8080']",
        ])

    def test_volumes(self):
        del self.compose["volumes"]["pgdata"]
        self.compose["services"]["tofu"]["volumes"] = ["./examples/http-backend/main.tf:/workspace/main.tf:ro",
                                                       "./examples/missing:/x"]
        self.assertEqual(self.problems(), [
            "docker-compose.yml: postgres uses volume pgdata, not declared under top-level volumes",
            "docker-compose.yml: tofu mounts ./examples/missing, which does not exist",
            "docker-compose.yml: tofu should keep its working files (.terraform, state) on a named volume",
        ])

    def test_tofu(self):
        tofu = self.compose["services"]["tofu"]
        tofu["image"] = "hashicorp/terraform:latest"
        tofu["profiles"] = []
        del tofu["network_mode"]
        tofu["environment"] = {"TF_HTTP_USERNAME": "${N}"}
        problems = self.problems()
        self.assertEqual(len(problems), 5, problems)
        self.assertIn("pinned to a 1.x tag, uses hashicorp/terraform:latest", problems[0])
        self.assertIn('profiles: ["tofu"]', problems[1])
        self.assertIn("network_mode: service:statehouse", problems[2])
        self.assertEqual(problems[3:], ["docker-compose.yml: tofu should set TF_HTTP_PASSWORD",
                                        "docker-compose.yml: tofu should set CHECKPOINT_DISABLE=1"])

    def test_compose_problems_adds_variables_credentials_and_settings(self):
        self.compose["services"]["statehouse"]["environment"]["STATEHOUSE_NOPE"] = "1"
        defined = {name: ("v", "") for name in ("P", "U", "N")}
        known = {"STATEHOUSE_USERS", "STATEHOUSE_STORAGE_DRIVER", "STATEHOUSE_STORAGE_URL"}
        problems = compose.compose_problems(self.compose, "", defined, ["8080"], known, self.root.name)
        self.assertEqual(problems, [
            "docker-compose.yml uses ${W}, which .env.example does not define",
            "docker-compose.yml (statehouse): STATEHOUSE_NOPE is not a setting (the server refuses unknown "
            "STATEHOUSE_* variables); settings are STATEHOUSE_<SECTION>_<KEY> of config.toml",
        ])


if __name__ == "__main__":
    unittest.main()
