#!/bin/sh
# Writes deploy/.env from deploy/.env.example, filling every empty secret with fresh random values of the
# shape Frontdesk and the other services expect. Refuses to overwrite an existing deploy/.env (it holds
# the keys your data is encrypted with). Needs only a POSIX shell and openssl.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
example="$here/.env.example"
target="$here/.env"

if [ -e "$target" ]; then
	echo "make-env.sh: $target already exists; not overwriting it (it holds your secrets)." >&2
	echo "make-env.sh: to start over, move it away first, knowing data encrypted with its keys stays unreadable." >&2
	exit 1
fi
command -v openssl >/dev/null 2>&1 || {
	echo "make-env.sh: openssl is needed to make random secrets" >&2
	exit 1
}

# A value for each secret: hex is URL-safe (some go into URLs); the encryption key is a Fernet key.
secret_for() {
	case "$1" in
	FRONTDESK_ENCRYPTION_KEYS) openssl rand -base64 32 | tr '+/' '-_' ;;
	FRONTDESK_WHATSAPP_APP_SECRET) openssl rand -hex 16 ;;
	MINIO_ROOT_PASSWORD) openssl rand -hex 24 ;;
	POSTGRES_PASSWORD | FRONTDESK_SECRET_KEY | FRONTDESK_WHATSAPP_VERIFY_TOKEN | \
		FRONTDESK_WHATSAPP_ACCESS_TOKEN | FRONTDESK_BRIDGE_API_KEY | FRONTDESK_BRIDGE_WEBHOOK_TOKEN)
		openssl rand -hex 32 ;;
	*) return 1 ;;
	esac
}

umask 077 # secrets: readable by this user only
partial="$target.partial.$$"
trap 'rm -f "$partial"' EXIT
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in
	[A-Z]*=)
		name=${line%=}
		value=$(secret_for "$name") || {
			echo "make-env.sh: no generator for the empty $name in .env.example; add one here" >&2
			exit 1
		}
		printf '%s=%s\n' "$name" "$value"
		;;
	*) printf '%s\n' "$line" ;;
	esac
done <"$example" >"$partial"
mv "$partial" "$target"
trap - EXIT
echo "make-env.sh: wrote $target with fresh secrets. Next: docker compose -f deploy/compose.yaml up -d"
