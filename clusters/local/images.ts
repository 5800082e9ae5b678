/**
 * @module clusters/local/images
 * Resolves a container (image, command, args) to a host command line, since the local provider has
 * no container runtime: the echo images run meshbench's echo app, fortio runs `.tools/bin/fortio`,
 * and any image with an explicit `command` runs that command from the host filesystem.
 */
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../../core/errors.ts';

/** Repository root (two levels above this folder). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

const ECHO_IMAGES = ['meshbench/echo', 'gcr.io/istio-testing/app', 'docker.io/istio/app', 'istio/app'];
const FORTIO_IMAGES = ['fortio/fortio', 'docker.io/fortio/fortio'];

/** Image names (without tag) the resolver runs without a `command`. */
export const KNOWN_IMAGES: readonly string[] = [...ECHO_IMAGES, ...FORTIO_IMAGES];

export interface ContainerSpecLike {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
}

/** `repo/name:tag@sha` → `repo/name`. */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest;
}

/** The host argv for a container; throws a ValidationError naming `field` when the image is unknown. */
export function resolveContainer(c: ContainerSpecLike, field: string, object?: string): string[] {
  if (c.command && c.command.length > 0) return [...c.command, ...(c.args ?? [])];
  const name = imageName(c.image ?? '');
  if (ECHO_IMAGES.includes(name)) {
    return [
      process.execPath,
      '--import',
      'tsx',
      `${REPO_ROOT}/reference-impl/echo/main.ts`,
      ...(c.args ?? []),
    ];
  }
  if (FORTIO_IMAGES.includes(name)) return [`${REPO_ROOT}/.tools/bin/fortio`, ...(c.args ?? [])];
  throw new ValidationError(
    'E_MANIFEST_FIELD',
    { object, field: `${field}.image` },
    `image "${c.image ?? ''}" has no local equivalent`,
    {
      hint: `use one of ${KNOWN_IMAGES.join(', ')}, or give the container a \`command\` to run from the host`,
    },
  );
}
