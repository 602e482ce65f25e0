import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * nginx as the reference reverse proxy: one worker (like one Node gateway process), keep-alive
 * to the upstream, no access log (our gateway logs to a file; nginx's buffered access log would
 * be the fairer twin, see docs/benchmarks.md). The config is generated per run.
 */
export async function startNginx(options: {
  dir: string;
  listen: string;
  upstream: string;
}): Promise<{ stop: () => Promise<void> }> {
  mkdirSync(options.dir, { recursive: true });
  const conf = join(options.dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
master_process off;
pid ${join(options.dir, 'nginx.pid')};
error_log ${join(options.dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${options.dir}/body;
  proxy_temp_path ${options.dir}/proxy;
  fastcgi_temp_path ${options.dir}/fastcgi;
  uwsgi_temp_path ${options.dir}/uwsgi;
  scgi_temp_path ${options.dir}/scgi;
  upstream webapp { server ${options.upstream}; keepalive 64; }
  server {
    listen ${options.listen};
    location /projects/ {
      proxy_pass http://webapp/create;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const child: ChildProcess = spawn('/usr/sbin/nginx', ['-c', conf, '-p', options.dir], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://${options.listen}/`, { signal: AbortSignal.timeout(500) });
      break;
    } catch {
      await sleep(50);
    }
  }
  return {
    stop: async () => {
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
