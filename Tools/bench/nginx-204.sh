# Sourced by the benchmark scripts: the nginx baseline, answering every request with 204.
#
#   write_nginx_204_conf DIR PORT   # writes DIR/nginx.conf for a throw-away prefix DIR listening on 127.0.0.1:PORT
write_nginx_204_conf() {
    local dir=$1 port=$2
    cat >"$dir/nginx.conf" <<CONF
worker_processes $(nproc);
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    server {
        listen 127.0.0.1:$port backlog=1024;
        location / { return 204; }
    }
}
CONF
}
