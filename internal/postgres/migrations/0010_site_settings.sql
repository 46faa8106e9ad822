-- Per-site widget settings: how a site's chat widget looks and greets
-- (frontline.SiteSettings). Which origins may embed a site stays in the
-- server's configuration. Validated by the application; the checks here
-- are a backstop on the shapes that reach a page.
CREATE TABLE site_settings (
    site_key           text PRIMARY KEY,
    display_name       text NOT NULL DEFAULT '' CHECK (char_length(display_name) <= 60),
    accent_color       text NOT NULL DEFAULT '' CHECK (accent_color = '' OR accent_color ~ '^#([0-9a-f]{3}|[0-9a-f]{6})$'),
    greeting           text NOT NULL DEFAULT '' CHECK (char_length(greeting) <= 500),
    avatar_url         text NOT NULL DEFAULT '' CHECK (avatar_url = '' OR avatar_url ~ '^https?://'),
    launcher_position  text NOT NULL DEFAULT '' CHECK (launcher_position IN ('', 'bottom-right', 'bottom-left')),
    suggested_articles text[] NOT NULL DEFAULT '{}' CHECK (cardinality(suggested_articles) <= 3),
    updated_at         timestamptz NOT NULL,
    updated_by         text NOT NULL DEFAULT ''
);
