# shellcheck shell=bash
# Shared settings and helpers for the developer tooling (sourced, not run).
#
# Everything the tooling creates lives in $SC_DEV_DIR (default: .dev/ in the
# repository, ignored by git): the virtualenv, a private PostgreSQL cluster
# listening on a Unix socket only, the Odoo config, logs and filestore.
# Odoo itself is read from $ODOO_SRC (default /opt/odoo-18.0), never copied.
set -euo pipefail

SC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo-18.0}
SC_DEV_DIR=${SC_DEV_DIR:-$SC_ROOT/.dev}
SC_VENV=$SC_DEV_DIR/venv
SC_PGDATA=$SC_DEV_DIR/pgdata
SC_ADDONS=$SC_DEV_DIR/addons
SC_CONF=$SC_DEV_DIR/odoo.conf
SC_LOGS=$SC_DEV_DIR/logs
SC_HTTP_PORT=${SC_HTTP_PORT:-8069}
PYTHON=${PYTHON:-python3}
# Unix socket paths are limited to 107 bytes: fall back to /tmp when deep.
SC_PGSOCK=$SC_DEV_DIR/pgsock
if [ ${#SC_PGSOCK} -gt 80 ]; then
    SC_PGSOCK=/tmp/sc-pg-$(echo "$SC_DEV_DIR" | md5sum | cut -c1-10)
fi
export PGHOST=$SC_PGSOCK PGPORT=5432 PGUSER=${PGUSER:-root}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

as_postgres() {
    # initdb and pg_ctl refuse to run as root.
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
    done
    command -v pg_ctl >/dev/null && { dirname "$(command -v pg_ctl)"; return; }
    return 1
}

check_odoo_src() {
    if [ ! -f "$ODOO_SRC/odoo-bin" ] || [ ! -d "$ODOO_SRC/odoo/addons/base" ]; then
        cat >&2 <<MSG
ERROR: Odoo 18.0 source not found in $ODOO_SRC.

This module runs on Odoo 18.0 Community, from its official source install:
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git /opt/odoo-18.0
(or unpack the 18.0 source release there). Only odoo/, odoo-bin and
requirements.txt are needed. Set ODOO_SRC to use another folder.
MSG
        exit 2
    fi
}

apt_install() {
    # Install the Debian packages that are missing (root only).
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (run as root or install them)"
    log "Installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_system() {
    apt_install postgresql libpq-dev chromium wkhtmltopdf fonts-dejavu-core poppler-utils faketime
}

ensure_venv() {
    local stamp=$SC_VENV/.sc-requirements
    local want
    want=$(cat "$ODOO_SRC/requirements.txt" "$SC_ROOT/tools/requirements-dev.txt" \
        "$SC_ROOT/tools/requirements-planning.txt" | md5sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    log "Creating the virtualenv in $SC_VENV"
    [ -x "$SC_VENV/bin/python" ] || "$PYTHON" -m venv "$SC_VENV"
    local req=$SC_DEV_DIR/requirements-odoo.txt
    # cbor2 5.4.2 has no wheel for Python 3.11; python-ldap is not needed.
    sed -e 's/^cbor2==5\.4\.2/cbor2==5.6.2/' -e '/^python-ldap/d' \
        "$ODOO_SRC/requirements.txt" >"$req"
    {
        "$SC_VENV/bin/pip" install -q --upgrade pip wheel &&
            "$SC_VENV/bin/pip" install -q -r "$req" -r "$SC_ROOT/tools/requirements-dev.txt" \
                -r "$SC_ROOT/tools/requirements-planning.txt"
    } 2> >(grep -v "is ignored: it is neither" >&2)
    echo "$want" >"$stamp"
}

ensure_addons_link() {
    # Odoo finds modules by folder name: expose the repository as service_contract.
    mkdir -p "$SC_ADDONS"
    ln -sfn "$SC_ROOT" "$SC_ADDONS/service_contract"
}

ensure_postgres() {
    local bin
    bin=$(pg_bin) || die "PostgreSQL server binaries not found"
    mkdir -p "$SC_DEV_DIR" "$SC_PGSOCK"
    chmod 755 "$SC_DEV_DIR"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$SC_PGSOCK"
        # postgres must be able to traverse to its data directory
        local d=$SC_DEV_DIR
        while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    fi
    if [ ! -f "$SC_PGDATA/PG_VERSION" ]; then
        log "Creating a PostgreSQL cluster in $SC_PGDATA"
        mkdir -p "$SC_PGDATA"
        [ "$(id -u)" = 0 ] && chown postgres "$SC_PGDATA"
        as_postgres "$bin/initdb" -D "$SC_PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_postgres "$bin/pg_ctl" -D "$SC_PGDATA" status >/dev/null 2>&1; then
        log "Starting PostgreSQL (socket in $SC_PGSOCK)"
        as_postgres "$bin/pg_ctl" -D "$SC_PGDATA" -l "$SC_PGDATA/server.log" -w \
            -o "-c listen_addresses='' -c unix_socket_directories='$SC_PGSOCK' -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
            start >/dev/null
    fi
    psql -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER'" | grep -q 1 ||
        psql -U postgres -d postgres -qc "CREATE ROLE \"$PGUSER\" SUPERUSER LOGIN"
}

write_conf() {
    mkdir -p "$SC_LOGS" "$SC_DEV_DIR/data"
    cat >"$SC_CONF" <<CONF
[options]
addons_path = $ODOO_SRC/odoo/addons,$SC_ADDONS
data_dir = $SC_DEV_DIR/data
db_host = $SC_PGSOCK
db_port = 5432
db_user = $PGUSER
db_password = False
admin_passwd = admin
http_interface = 127.0.0.1
http_port = $SC_HTTP_PORT
list_db = True
CONF
}

setup_all() {
    check_odoo_src
    ensure_system
    ensure_venv
    ensure_addons_link
    ensure_postgres
    write_conf
}

odoo_bin() {
    "$SC_VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$SC_CONF" "$@"
}

db_exists() {
    psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1
}

drop_db() {
    if db_exists "$1"; then
        psql -d postgres -qc "DROP DATABASE \"$1\" WITH (FORCE)"
    fi
    rm -rf "$SC_DEV_DIR/data/filestore/$1"
}

install_module() {
    # install_module DB LOGFILE [extra odoo args]: fresh install, fails on
    # any ERROR or WARNING in the log.
    local db=$1 logfile=$2
    shift 2
    drop_db "$db"
    rm -f "$logfile"
    log "Installing service_contract in database $db $*"
    # payment_demo: the test provider the collection tests charge.
    odoo_bin -d "$db" -i service_contract,payment_demo --stop-after-init --no-http \
        --log-level=info --logfile="$logfile" "$@" || {
        tail -50 "$logfile" >&2
        die "installation failed, see $logfile"
    }
    if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$logfile"; then
        die "installation logged warnings or errors, see $logfile"
    fi
}

check_log() {
    # check_log LOGFILE: fails when the log holds a WARNING, ERROR or CRITICAL.
    if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$1"; then
        die "installation logged warnings or errors, see $1"
    fi
}

install_french_demo() {
    # install_french_demo DB LOGFILE: a fresh database as a French maintenance
    # company has it, with the module's demo data. Four steps, in the order
    # Odoo needs them:
    # 1. base and l10n_fr (the SIRET field) with French loaded;
    # 2. the main company in Lyon (France, EUR, A4, SIRET, VAT), the admin in
    #    French and Europe/Paris (before account and product are installed, so
    #    that their journals and pricelist take the euro);
    # 3. l10n_fr_account: account loads the chart of the company's country
    #    (the French chart, TVA 20 % on sales) once the registry is loaded,
    #    and l10n_fr_facturx_chorus_pro (the Chorus Pro references of
    #    invoices sent to public buyers);
    # 4. then service_contract, whose demo invoices need that chart, and
    #    payment_demo, the test provider, to try automatic collection.
    # Every module is loaded with its French translations.
    # Fails on any ERROR or WARNING in the log, as install_module.
    local db=$1 logfile=$2
    drop_db "$db"
    rm -f "$logfile"
    log "Creating the French demo database $db"
    odoo_bin -d "$db" -i l10n_fr --load-language=fr_FR --stop-after-init --no-http \
        --log-level=info --logfile="$logfile" || {
        tail -50 "$logfile" >&2
        die "installation failed, see $logfile"
    }
    # The subcommand comes first: odoo_bin would put -c before it.
    SC_LOGO="$SC_ROOT/demo/company_logo.png" \
        "$SC_VENV/bin/python" "$ODOO_SRC/odoo-bin" shell -c "$SC_CONF" -d "$db" --no-http \
        --log-level=info --logfile="$logfile" <<'PY' || {
import base64, os
company = env.ref("base.main_company")
env.ref("base.EUR").active = True
company.write({
    "name": "Thermilift Services",
    "street": "27 rue de la Villette",
    "zip": "69003",
    "city": "Lyon",
    "country_id": env.ref("base.fr").id,
    "currency_id": env.ref("base.EUR").id,
    "phone": "+33 4 78 62 45 10",
    "email": "contact@thermilift.example.fr",
    "website": "https://www.thermilift.example.fr",
    "company_registry": "91234567500017",
    "siret": "91234567500017",
    "vat": "FR65912345675",
    "paperformat_id": env.ref("base.paperformat_euro").id,
    "logo": base64.b64encode(open(os.environ["SC_LOGO"], "rb").read()),
})
company.partner_id.write({"lang": "fr_FR", "tz": "Europe/Paris"})
env.ref("base.user_admin").write({"lang": "fr_FR", "tz": "Europe/Paris"})
env.cr.commit()
PY
        tail -50 "$logfile" >&2
        die "setting up the French company failed, see $logfile"
    }
    local module
    for module in l10n_fr_account l10n_fr_facturx_chorus_pro service_contract payment_demo; do
        odoo_bin -d "$db" -i "$module" --stop-after-init --no-http \
            --log-level=info --logfile="$logfile" || {
            tail -50 "$logfile" >&2
            die "installation failed, see $logfile"
        }
    done
    check_log "$logfile"
}
