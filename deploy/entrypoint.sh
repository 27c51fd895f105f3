#!/bin/sh
# The image's entrypoint: turns secrets that ECS hands over as environment variables into the
# files berth reads, then runs berth with the command's arguments.
#
#   BERTH_GIT_KNOWN_HOSTS_CONTENT  known_hosts lines  -> $BERTH_SECRETS_DIR/known_hosts, BERTH_GIT_KNOWN_HOSTS
#   BERTH_GIT_SSH_KEY_CONTENT      an OpenSSH key     -> $BERTH_SECRETS_DIR/git_ssh_key, BERTH_GIT_SSH_KEY
#                                                        (and its .pub beside it, derived with ssh-keygen)
#
# berth takes known_hosts and the SSH key as file paths (docs/controller.md), while ECS `secrets`
# arrive as variables. The *_CONTENT variables are removed before berth starts, so they are not
# in its environment (nor in any process it runs). Without them, this only runs berth.
set -eu

secrets_dir="${BERTH_SECRETS_DIR:-/var/lib/berth/secrets}"

# Writes $2 to the file $1 (mode 0600), ending with a newline.
write_secret() {
    printf '%s' "$2" > "$1"
    if [ -n "$(tail -c 1 "$1")" ]; then printf '\n' >> "$1"; fi
}

umask_before=$(umask)
umask 077
if [ -n "${BERTH_GIT_KNOWN_HOSTS_CONTENT:-}" ] || [ -n "${BERTH_GIT_SSH_KEY_CONTENT:-}" ]; then
    mkdir -p "$secrets_dir"
fi

if [ -n "${BERTH_GIT_KNOWN_HOSTS_CONTENT:-}" ]; then
    write_secret "$secrets_dir/known_hosts" "$BERTH_GIT_KNOWN_HOSTS_CONTENT"
    BERTH_GIT_KNOWN_HOSTS="$secrets_dir/known_hosts"
    export BERTH_GIT_KNOWN_HOSTS
fi
unset BERTH_GIT_KNOWN_HOSTS_CONTENT 2>/dev/null || true

if [ -n "${BERTH_GIT_SSH_KEY_CONTENT:-}" ]; then
    write_secret "$secrets_dir/git_ssh_key" "$BERTH_GIT_SSH_KEY_CONTENT"
    # libssh2 is handed the public key when it is beside the private one; derive it (a key with
    # a passphrase is left without, and berth uses the private key alone).
    if command -v ssh-keygen >/dev/null 2>&1; then
        ssh-keygen -y -P "${BERTH_GIT_SSH_PASSPHRASE:-}" -f "$secrets_dir/git_ssh_key" > "$secrets_dir/git_ssh_key.pub" 2>/dev/null \
            || rm -f "$secrets_dir/git_ssh_key.pub"
    fi
    BERTH_GIT_SSH_KEY="$secrets_dir/git_ssh_key"
    export BERTH_GIT_SSH_KEY
fi
unset BERTH_GIT_SSH_KEY_CONTENT 2>/dev/null || true
umask "$umask_before"

exec /usr/local/bin/berth "$@"
