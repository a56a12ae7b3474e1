<?php
// davdoctor peer: SabreDAV (Debian php-sabre-dav, 1.8) as a plain file server, run by PHP's built-in web server:
//
//     SABRE_ROOT=DIR SABRE_DATA=DIR [SABRE_USERS=FILE] php -S 127.0.0.1:PORT server.php
//
// SABRE_ROOT  the served tree (Sabre\DAV\FSExt: dead properties live in a ".sabredav" file per directory;
//             1.8 has no PropertyStorage plugin, that came with SabreDAV 2.0)
// SABRE_DATA  where the lock database (Sabre\DAV\Locks\Backend\File) is kept
// SABRE_USERS a "user:{SHA}base64" file (htpasswd -s); when set, /secret/ needs Basic auth and
//             /secret/<user>/ is for <user> only (a small access rule, as an admin would write it)
// SABRE_DEBUG_EXCEPTIONS=1 puts file/line/stack trace into the error bodies (Server::$debugExceptions)
// Depth: infinity: SabreDAV 1.8 has no enablePropfindDepthInfinity switch; it answers such a PROPFIND
// as Depth 1.

require_once '/usr/share/php/Sabre/autoload.php';

date_default_timezone_set('UTC');
$rootDir = getenv('SABRE_ROOT') ?: __DIR__ . '/root';
$dataDir = getenv('SABRE_DATA') ?: sys_get_temp_dir();
$usersFile = getenv('SABRE_USERS') ?: '';

class DavdoctorBasicBackend extends \Sabre\DAV\Auth\Backend\AbstractBasic {
    private $users = array();
    function __construct($file) {
        foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
            list($user, $hash) = explode(':', $line, 2);
            $this->users[$user] = $hash;
        }
    }
    protected function validateUserPass($username, $password) {
        return isset($this->users[$username])
            && $this->users[$username] === '{SHA}' . base64_encode(sha1($password, true));
    }
}

// Basic auth for /secret/ only; /secret/<user>/ belongs to <user>.
class DavdoctorSecretAuthPlugin extends \Sabre\DAV\Auth\Plugin {
    function beforeMethod($method, $uri) {
        $path = trim($uri, '/');
        if ($path !== 'secret' && strpos($path, 'secret/') !== 0) return;
        parent::beforeMethod($method, $uri);
        $parts = explode('/', $path);
        if (count($parts) > 1 && $parts[1] !== '' && is_dir($GLOBALS['rootDir'] . '/secret/' . $parts[1])
            && $parts[1] !== $this->getCurrentUser()) {
            throw new \Sabre\DAV\Exception\Forbidden('Only ' . $parts[1] . ' may access /secret/' . $parts[1] . '/');
        }
    }
}

$server = new \Sabre\DAV\Server(new \Sabre\DAV\FSExt\Directory($rootDir));
$server->setBaseUri('/');
if (getenv('SABRE_DEBUG_EXCEPTIONS') === '1') $server->debugExceptions = true;
$server->addPlugin(new \Sabre\DAV\Locks\Plugin(new \Sabre\DAV\Locks\Backend\File($dataDir . '/locksdb')));
$server->addPlugin(new \Sabre\DAV\Browser\Plugin(false));
$server->addPlugin(new \Sabre\DAV\Browser\GuessContentType());
if ($usersFile !== '') {
    $server->addPlugin(new DavdoctorSecretAuthPlugin(new DavdoctorBasicBackend($usersFile), 'davdoctor secret'));
}
$server->exec();
