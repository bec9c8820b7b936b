"""The adapters behind the sync queue port: in-process (embedded) and Procrastinate (scaled out)."""
