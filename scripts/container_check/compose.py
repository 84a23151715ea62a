"""docker-compose.yml, .env.example, and the STATEHOUSE_* settings config.toml documents."""

import os
import re
import tomllib

from .common import Fatal, finish

SERVICES = ("postgres", "statehouse", "tofu", "tofu-remote-state")
TOFU_EXAMPLES = (("tofu", "examples/http-backend"), ("tofu-remote-state", "examples/remote-state"))
REQUIRED_ENV = ("POSTGRES_PASSWORD", "STATEHOUSE_USERS", "TF_HTTP_USERNAME", "TF_HTTP_PASSWORD")


# --- .env.example ------------------------------------------------------------------------------------

def dotenv(text, name=".env.example"):
    """KEY -> (value, quote) with docker compose's .env rules; quote is ', " or empty."""
    values = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, equals, value = line.partition("=")
        key = key.strip()
        if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", key):
            raise Fatal(f"{name} line {number}: not KEY=VALUE")
        value = value.lstrip()
        if value[:1] in ("'", '"'):
            quote, end, out = value[0], 1, []
            while end < len(value) and value[end] != quote:
                if value[end] == "\\" and end + 1 < len(value) and value[end + 1] == quote:
                    end += 1
                out.append(value[end])
                end += 1
            if end >= len(value):
                raise Fatal(f"{name} line {number}: unterminated {quote}-quoted value")
            rest = value[end + 1:].strip()
            if rest and not rest.startswith("#"):
                raise Fatal(f"{name} line {number}: text after the closing quote")
            values[key] = ("".join(out), quote)
        else:
            value = re.split(r"\s#", value, maxsplit=1)[0].strip()
            values[key] = (value, "")
    return values


def env_example_problems(defined, config):
    """What is wrong with .env.example's values; stops if a variable compose needs is missing."""
    finish([f".env.example: {variable} is missing" for variable in REQUIRED_ENV if variable not in defined],
           ".env.example")
    problems = []
    for variable, (value, quote) in defined.items():
        if "$" in value and quote != "'":
            problems.append(f".env.example: {variable} has a $ outside single quotes; compose would interpolate it")
    password = defined["POSTGRES_PASSWORD"][0]
    if not re.fullmatch(r"[A-Za-z0-9._~-]+", password):
        problems.append(".env.example: POSTGRES_PASSWORD must be letters, digits and -._~ (it goes into a libpq "
                        "connection string)")
    users_text = defined["STATEHOUSE_USERS"][0]
    try:
        users = tomllib.loads("users = " + users_text)["users"]
    except tomllib.TOMLDecodeError as problem:
        raise Fatal(f".env.example: STATEHOUSE_USERS is not a TOML inline array: {problem}") from None
    if not (isinstance(users, list) and users and all(isinstance(u, dict) for u in users)):
        raise Fatal(".env.example: STATEHOUSE_USERS must be a non-empty array of inline tables")
    shipped = {u.get("password_hash") for u in config.get("users", [])}
    for user in users:
        if not str(user.get("password_hash", "")).startswith("$pbkdf2-sha256$"):
            problems.append(f".env.example: user {user.get('name')} needs a $pbkdf2-sha256$ password_hash")
        if user.get("password_hash") in shipped:
            problems.append(f".env.example: user {user.get('name')} reuses config.toml's default hash")
        if not user.get("grants"):
            problems.append(f".env.example: user {user.get('name')} has no grants")
    if defined["TF_HTTP_USERNAME"][0] not in {u.get("name") for u in users}:
        problems.append(".env.example: TF_HTTP_USERNAME is not one of STATEHOUSE_USERS")
    return problems


# --- config.toml's settings ------------------------------------------------------------------------------

def config_variables(text):
    """(names, config): every STATEHOUSE_<SECTION>_<KEY> config.toml documents, plus the extra ones: the
    config path, the users and the [encryption] keys (documented commented out: no keys by default)."""
    config = tomllib.loads(text)
    names = {"STATEHOUSE_CONFIG", "STATEHOUSE_USERS", "STATEHOUSE_ENCRYPTION_KEYS", "STATEHOUSE_ENCRYPTION_KEY_FILE"}
    for section, table in config.items():
        if isinstance(table, dict):
            names |= {f"STATEHOUSE_{section}_{key}".upper() for key in table}
    return names, config


def statehouse_variable_problems(where, env, known):
    """The server refuses unknown STATEHOUSE_* variables (STATEHOUSE_API_* belong to the CLI)."""
    return [f"{where}: {name} is not a setting (the server refuses unknown STATEHOUSE_* variables); "
            "settings are STATEHOUSE_<SECTION>_<KEY> of config.toml"
            for name in env
            if name.startswith("STATEHOUSE_") and not name.startswith("STATEHOUSE_API_") and name not in known]


# --- docker-compose.yml ----------------------------------------------------------------------------------

def load(text):
    import yaml  # PyYAML; scripts/check-container installs it when missing

    try:
        compose = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        raise Fatal(f"docker-compose.yml does not parse: {problem}") from None
    if not isinstance(compose, dict) or not isinstance(compose.get("services"), dict):
        raise Fatal("docker-compose.yml: no services")
    return compose


def strings(node):
    """Every string in a parsed YAML document, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def interpolated(text):
    """Variables compose would substitute in one string ($$ is a literal $)."""
    text = text.replace("$$", "")
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)) | set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text))


def environment(service):
    """A service's environment as a dict, from either of compose's two forms."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {str(k): ("" if v is None else str(v)) for k, v in env.items()}


def undefined_variable_problems(compose, defined):
    used = set()
    for value in strings(compose):
        used |= interpolated(value)
    return [f"docker-compose.yml uses ${{{variable}}}, which .env.example does not define"
            for variable in sorted(used - set(defined))]


def credential_problems(compose, text, defined):
    """Passwords, hashes and users must come from .env, never be written in the compose file."""
    problems = []
    for service_name, service in compose["services"].items():
        for key, value in environment(service).items():
            secret = re.search(r"PASSWORD|SECRET|TOKEN|USERS|HASH|KEYS", key)
            if secret and not re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}", value.strip()):
                problems.append(f"docker-compose.yml: {service_name}.{key} must come from .env (${{VAR}}), not be written here")
            for match in re.finditer(r"password=([^ &]*)", value):
                if not match.group(1).startswith("${"):
                    problems.append(f"docker-compose.yml: {service_name}.{key} has a literal password")
            for match in re.finditer(r"://[^/@:]*:([^@/]*)@", value):
                if not match.group(1).startswith("${"):
                    problems.append(f"docker-compose.yml: {service_name}.{key} has a literal password in its URL")
    if "$pbkdf2" in text:
        problems.append("docker-compose.yml contains a password hash; it belongs in .env")
    for variable, (value, _) in defined.items():
        if re.search(r"PASSWORD|USERS|KEYS", variable) and len(value) >= 6 and value in text:
            problems.append(f"docker-compose.yml contains the value of {variable} from .env.example")
    return problems


def service_problems(compose, exposed, root):
    """The services, their healthchecks, volumes, dependencies and images; stops if a service is missing."""
    services = compose["services"]
    finish([f"docker-compose.yml: no service {name}" for name in SERVICES if name not in services],
           "docker-compose.yml")
    declared_volumes = set((compose.get("volumes") or {}).keys())
    problems = []

    def healthcheck(name, needle):
        check = services[name].get("healthcheck") or {}
        test = check.get("test")
        if not test or check.get("disable"):
            problems.append(f"docker-compose.yml: {name} has no healthcheck")
        elif needle not in " ".join(test if isinstance(test, list) else [test]):
            problems.append(f"docker-compose.yml: {name}'s healthcheck should run {needle}, runs {test}")

    def named_volumes(name):
        found = []
        for volume in services[name].get("volumes") or []:
            source, target = (volume.get("source"), volume.get("target")) if isinstance(volume, dict) \
                else (volume.split(":")[0], volume.split(":")[1] if ":" in volume else volume)
            if source and not source.startswith((".", "/", "~", "$")):
                found.append((source, target))
                if source not in declared_volumes:
                    problems.append(f"docker-compose.yml: {name} uses volume {source}, not declared under top-level volumes")
        return found

    postgres, statehouse = services["postgres"], services["statehouse"]
    if not str(postgres.get("image", "")).startswith("postgres:"):
        problems.append(f"docker-compose.yml: postgres should use the official postgres image, uses {postgres.get('image')}")
    healthcheck("postgres", "pg_isready")
    if not any(target == "/var/lib/postgresql/data" for _, target in named_volumes("postgres")):
        problems.append("docker-compose.yml: postgres needs a named volume on /var/lib/postgresql/data")
    penv = environment(postgres)
    if penv.get("POSTGRES_USER") != "statehouse" or penv.get("POSTGRES_DB") != "statehouse":
        problems.append("docker-compose.yml: postgres should create user and database statehouse")

    healthcheck("statehouse", "healthcheck")
    if "build" not in statehouse:
        problems.append("docker-compose.yml: statehouse should build the Dockerfile (build: .)")
    condition = ((statehouse.get("depends_on") or {}).get("postgres") or {}) \
        if isinstance(statehouse.get("depends_on"), dict) else {}
    if condition.get("condition") != "service_healthy":
        problems.append("docker-compose.yml: statehouse must depend on postgres with condition: service_healthy")
    senv = environment(statehouse)
    if senv.get("STATEHOUSE_STORAGE_DRIVER") != "postgres":
        problems.append("docker-compose.yml: statehouse should set STATEHOUSE_STORAGE_DRIVER=postgres")
    if "postgres" not in senv.get("STATEHOUSE_STORAGE_URL", ""):
        problems.append("docker-compose.yml: STATEHOUSE_STORAGE_URL should point at the postgres service")
    if not senv.get("STATEHOUSE_USERS"):
        problems.append("docker-compose.yml: statehouse needs STATEHOUSE_USERS (the server refuses the default user on '*')")
    ports = [str(p) for p in statehouse.get("ports") or []]
    container_ports = {p.rsplit(":", 1)[-1].split("/")[0] for p in ports}
    if not container_ports or not container_ports <= {p.split("/")[0] for p in exposed}:
        problems.append(f"docker-compose.yml: statehouse publishes {ports}; the image exposes {exposed}")

    for name, example in TOFU_EXAMPLES:
        service = services[name]
        image = str(service.get("image", ""))
        if not re.fullmatch(r"ghcr\.io/opentofu/opentofu:1(\.\d+){1,2}", image):
            problems.append(f"docker-compose.yml: {name} should use ghcr.io/opentofu/opentofu pinned to a 1.x tag, uses {image}")
        if "tofu" not in (service.get("profiles") or []):
            problems.append(f"docker-compose.yml: {name} must be under profiles: [\"tofu\"] so `docker compose up` leaves it out")
        if service.get("network_mode") != "service:statehouse":
            problems.append(f"docker-compose.yml: {name} needs network_mode: service:statehouse (the examples use localhost:8080)")
        env = environment(service)
        for variable in ("TF_HTTP_USERNAME", "TF_HTTP_PASSWORD"):
            if variable not in env:
                problems.append(f"docker-compose.yml: {name} should set {variable}")
        if env.get("CHECKPOINT_DISABLE") != "1":
            problems.append(f"docker-compose.yml: {name} should set CHECKPOINT_DISABLE=1")
        mounts = [v for v in service.get("volumes") or [] if isinstance(v, str) and v.startswith("./")]
        if not any(m.split(":")[0].startswith(f"./{example}") for m in mounts):
            problems.append(f"docker-compose.yml: {name} should mount ./{example}")
        for mount in mounts:
            if not os.path.exists(os.path.join(root, mount.split(":")[0])):
                problems.append(f"docker-compose.yml: {name} mounts {mount.split(':')[0]}, which does not exist")
        if not named_volumes(name):
            problems.append(f"docker-compose.yml: {name} should keep its working files (.terraform, state) on a named volume")
    return problems


def compose_problems(compose, text, defined, exposed, known, root):
    """Everything checked about docker-compose.yml (text is its source, for the credential search)."""
    problems = service_problems(compose, exposed, root)
    problems += undefined_variable_problems(compose, defined)
    problems += credential_problems(compose, text, defined)
    for service_name, service in compose["services"].items():
        problems += statehouse_variable_problems(f"docker-compose.yml ({service_name})", environment(service), known)
    return problems
