import numpy as np, gzip, time, os, sys
from sklearn.linear_model import LogisticRegression
D='/usr/share/datasets/fashion-mnist/'
def _idx(fn):
    with gzip.open(D+fn) as f: b=f.read()
    nd=b[3]; dims=[int.from_bytes(b[4+4*i:8+4*i],'big') for i in range(nd)]
    return np.frombuffer(b,np.uint8,offset=4+4*nd).reshape(dims)
def load():
    if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fm.npz')):
        z=np.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fm.npz')); return z['Xtr'],z['ytr'],z['Xte'],z['yte']
    Xtr=_idx('train-images-idx3-ubyte.gz').reshape(60000,-1); ytr=_idx('train-labels-idx1-ubyte.gz')
    Xte=_idx('t10k-images-idx3-ubyte.gz').reshape(10000,-1); yte=_idx('t10k-labels-idx1-ubyte.gz')
    np.savez(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fm.npz'),Xtr=Xtr,ytr=ytr,Xte=Xte,yte=yte); return Xtr,ytr,Xte,yte
def load_digits():
    a=np.loadtxt(gzip.open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'Examples', 'Data', 'digits.csv.gz')),delimiter=',')
    return a[:,:-1].astype(np.float32), a[:,-1].astype(int)

class Prep:
    """mode: 'scale' (x/255 or max), 'center', 'pcaw' (center+PCA whiten rank r eps), 'zca', 'unit' (row unit norm after)"""
    def __init__(s, mode='pcaw', r=None, eps=0.1, rownorm=False, maxval=None):
        s.mode=mode; s.r=r; s.eps=eps; s.rownorm=rownorm; s.maxval=maxval
    def fit(s,X):
        X=X.astype(np.float32); s.scale=s.maxval or float(X.max()); X=X/s.scale
        if s.rownorm: X=X/ (np.linalg.norm(X,axis=1,keepdims=True)+1e-8)
        s.mu=X.mean(0)
        if s.mode in('pcaw','zca'):
            Xc=X-s.mu; C=(Xc.T@Xc)/len(X); ev,V=np.linalg.eigh(C.astype(np.float64)); ev=ev[::-1]; V=V[:,::-1]
            r=s.r or len(ev); s.ev=ev
            P=V[:,:r]/np.sqrt(ev[:r]+s.eps)
            if s.mode=='zca': P=P@V[:,:r].T
            s.P=P.astype(np.float32)
        return s
    def __call__(s,X):
        X=X.astype(np.float32)/s.scale
        if s.rownorm: X=X/(np.linalg.norm(X,axis=1,keepdims=True)+1e-8)
        if s.mode=='scale': return X
        X=X-s.mu
        if s.mode=='center': return X
        return X@s.P

def unitcols(W): return W/(np.linalg.norm(W,axis=0,keepdims=True)+1e-12)

def init_samples(Y,m,rng): return unitcols(Y[rng.choice(len(Y),m,replace=False)].T.copy())

def init_kmeanspp(Y,m,rng,sub=10000):
    # cosine k-means++ on unit-normalized rows of a subsample
    Z=Y[rng.choice(len(Y),min(sub,len(Y)),replace=False)]; Z=Z/(np.linalg.norm(Z,axis=1,keepdims=True)+1e-12)
    idx=[rng.integers(len(Z))]; d=1-Z@Z[idx[0]]; d=np.maximum(d,0)
    for _ in range(m-1):
        p=d/d.sum(); i=rng.choice(len(Z),p=p); idx.append(i); d=np.minimum(d,np.maximum(1-Z@Z[i],0))
    return unitcols(Z[idx].T.copy())

def spherical_kmeans(Y,W,iters=10,bs=None):
    Z=Y/(np.linalg.norm(Y,axis=1,keepdims=True)+1e-12)
    for it in range(iters):
        S=Z@W; a=S.argmax(1)
        Wn=np.zeros_like(W)
        import scipy.sparse as sp
        O=sp.csr_matrix((np.ones(len(a),np.float32),(a,np.arange(len(a)))),shape=(W.shape[1],len(a)))
        Wn=np.asarray((O@Z).T)
        cnt=np.bincount(a,minlength=W.shape[1])
        dead=cnt==0; Wn[:,dead]=W[:,dead]
        W=unitcols(Wn)
    return W

def act(Z,kind,alpha=0.0,k=None):
    if kind=='relu': return np.maximum(Z-alpha,0)
    if kind=='topk':
        th=np.partition(Z,-k,axis=1)[:,-k][:,None]; return np.where(Z>=th,np.maximum(Z,0),0)
    raise ValueError

def train_tied(Y,W,b,steps=10,zeta=0.1,bs=None,kind='relu',k=None,rng=None,log=False):
    """paper: normalized GD on 1/2||y - W s(W^T y + b)||^2, W renormalized to unit columns each step"""
    n,m=W.shape
    for t in range(steps):
        if bs: 
            order=rng.permutation(len(Y)); batches=[order[i:i+bs] for i in range(0,len(Y),bs)]
        else: batches=[slice(None)]
        tot=0
        for bi in batches:
            Yb=Y[bi]; Z=Yb@W+b; X=act(Z,kind,0,k); R=X@W.T-Yb  # residual (B x n)
            tot+=0.5*(R**2).sum()
            mask=(X>0).astype(np.float32)
            # grad wrt W: R^T X + Y^T ((R W) * mask)
            G=R.T@X + Yb.T@((R@W)*mask)
            G/=len(Yb)
            W=unitcols(W-zeta*G)
        if log: print(' step',t,'loss/row',tot/len(Y),flush=True)
    return W

def encode(Y,W,b,kind='relu',alpha=0.0,k=None,split=False):
    Z=Y@W+b
    if split: return np.hstack([np.maximum(Z-alpha,0),np.maximum(-Z-alpha,0)])
    return act(Z,kind,alpha,k)

def classify(Ftr,ytr,Fte,yte,scale='std',C=1.0,max_iter=300):
    if scale=='std':
        mu=Ftr.mean(0); sd=Ftr.std(0)+1e-6*(Ftr.std(0).max()+1e-12)+1e-8
    elif scale=='minmax':
        mu=Ftr.min(0); sd=Ftr.max(0)-mu; sd[sd==0]=1
    else: mu=0; sd=1
    A=(Ftr-mu)/sd; B=(Fte-mu)/sd
    t=time.time()
    clf=LogisticRegression(C=C,max_iter=max_iter,tol=1e-4)
    clf.fit(A,ytr)
    return (clf.predict(B)==yte).mean(), (clf.predict(A)==ytr).mean(), time.time()-t

from scipy.optimize import minimize
def fastlr(A,y,B,yte,lam=1e-4,max_iter=300):
    """multinomial LR, objective mean CE + lam/2 ||W||^2 (bias unregularized); = sklearn C=1/(lam*N)"""
    A=np.ascontiguousarray(A,np.float32); B=np.ascontiguousarray(B,np.float32)
    N,d=A.shape; K=int(y.max())+1; Yo=np.zeros((N,K),np.float32); Yo[np.arange(N),y]=1
    def f(w):
        W=w[:d*K].reshape(d,K).astype(np.float32); c=w[d*K:].astype(np.float32)
        S=A@W+c; S-=S.max(1,keepdims=True); E=np.exp(S); Z=E.sum(1,keepdims=True); P=E/Z
        loss=float(-(S[np.arange(N),y]-np.log(Z[:,0])).mean())+0.5*lam*float((W*W).sum())
        G=(P-Yo)/N; gW=A.T@G+lam*W; gc=G.sum(0)
        return loss,np.concatenate([gW.ravel(),gc]).astype(np.float64)
    t=time.time()
    r=minimize(f,np.zeros(d*K+K),jac=True,method='L-BFGS-B',options=dict(maxiter=max_iter,gtol=1e-6))
    W=r.x[:d*K].reshape(d,K).astype(np.float32); c=r.x[d*K:].astype(np.float32)
    return float(((B@W+c).argmax(1)==yte).mean()), float(((A@W+c).argmax(1)==y).mean()), round(time.time()-t,1), r.nit

def scalef(Ftr,Fte,scale='std'):
    if scale=='std':
        mu=Ftr.mean(0); sd=Ftr.std(0); sd=np.where(sd<1e-6*max(sd.max(),1e-12),1,sd)
    elif scale=='minmax':
        mu=Ftr.min(0); sd=Ftr.max(0)-mu; sd[sd==0]=1
    else: return Ftr,Fte
    return (Ftr-mu)/sd,(Fte-mu)/sd
