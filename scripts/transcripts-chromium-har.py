"""Loads a page that sends a WebDAV session with fetch() in headless Chromium (driven over the DevTools
protocol by Playwright) and saves the HAR Chromium's network events give."""
import sys
from playwright.sync_api import sync_playwright

url, har = sys.argv[1], sys.argv[2]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
    context = browser.new_context(record_har_path=har, record_har_content="embed")
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.title === 'done'", timeout=20000)
    print(page.inner_text("#out"))
    context.close()
    browser.close()
