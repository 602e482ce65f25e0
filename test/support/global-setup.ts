import { build, isBuildStale } from '../../scripts/build.ts';

/** The end-to-end tests run the built apps: build them first if any source is newer. */
export default function globalSetup(): void {
  if (isBuildStale()) build();
}
